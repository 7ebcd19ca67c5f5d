/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_TCPSTATE_H
#define TCPTUNE_TCPSTATE_H

#include <stdbool.h>

/*
 * TCP states with the kernel's numbering (include/net/tcp_states.h), so that
 * a state read from sock_diag or /proc/net/tcp indexes this enum directly.
 * The kernel's request sockets (TCP_NEW_SYN_RECV, 12) are counted as
 * TS_SYN_RECV, as ss shows them; TCP_BOUND_INACTIVE (13) is not a connection.
 */
enum tcp_state {
	TS_ESTABLISHED = 1,
	TS_SYN_SENT,
	TS_SYN_RECV,
	TS_FIN_WAIT1,
	TS_FIN_WAIT2,
	TS_TIME_WAIT,
	TS_CLOSE,
	TS_CLOSE_WAIT,
	TS_LAST_ACK,
	TS_LISTEN,
	TS_CLOSING,
	TS_MAX,
};

#define TS_KERNEL_NEW_SYN_RECV 12

/* Iterate over the real states in the kernel's order. */
#define FOREACH_TCP_STATE(s) for (enum tcp_state s = TS_ESTABLISHED; s < TS_MAX; s++)

/* "time_wait": the name used by metrics, JSON keys and rules. */
const char *tcp_state_name(enum tcp_state s);
/*
 * The states of a socket whose application has closed it and which the
 * kernel still holds: an orphan when no process holds it (TIME_WAIT, which no
 * process ever holds, aside). In the other states a socket no process holds
 * has not been accepted yet (ESTABLISHED, CLOSE_WAIT, SYN_RECV).
 */
static inline bool tcp_state_orphan(enum tcp_state s)
{
	return s == TS_FIN_WAIT1 || s == TS_FIN_WAIT2 || s == TS_CLOSING || s == TS_LAST_ACK;
}
/* Inverse of tcp_state_name(); returns 0 when the name is unknown. */
enum tcp_state tcp_state_from_name(const char *name);
/* Maps a kernel state number to a counted state, or 0 when it is none. */
enum tcp_state tcp_state_from_kernel(unsigned kernel_state);

#endif
