// SPDX-License-Identifier: GPL-2.0-or-later
#include "tcpstate.h"

#include <string.h>

static const char *const names[TS_MAX] = {
	[TS_ESTABLISHED] = "established",
	[TS_SYN_SENT] = "syn_sent",
	[TS_SYN_RECV] = "syn_recv",
	[TS_FIN_WAIT1] = "fin_wait1",
	[TS_FIN_WAIT2] = "fin_wait2",
	[TS_TIME_WAIT] = "time_wait",
	[TS_CLOSE] = "close",
	[TS_CLOSE_WAIT] = "close_wait",
	[TS_LAST_ACK] = "last_ack",
	[TS_LISTEN] = "listen",
	[TS_CLOSING] = "closing",
};

const char *tcp_state_name(enum tcp_state s)
{
	return s > 0 && s < TS_MAX ? names[s] : NULL;
}

enum tcp_state tcp_state_from_name(const char *name)
{
	FOREACH_TCP_STATE(s)
		if (strcmp(names[s], name) == 0)
			return s;
	return 0;
}

enum tcp_state tcp_state_from_kernel(unsigned kernel_state)
{
	if (kernel_state == TS_KERNEL_NEW_SYN_RECV)
		return TS_SYN_RECV;
	return kernel_state > 0 && kernel_state < TS_MAX ? (enum tcp_state)kernel_state : 0;
}
