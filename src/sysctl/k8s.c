// SPDX-License-Identifier: GPL-2.0-or-later
/* What Kubernetes says of a key: whether the kubelet lets any Pod set it. */
#include <stdbool.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

/*
 * The kubelet's safe set (pkg/kubelet/sysctl/safe_sysctls.go, Kubernetes
 * 1.29; "Using sysctls in a Kubernetes Cluster"): namespaced and isolated
 * from the other Pods of the node. Every other sysctl is unsafe: a Pod that
 * sets it does not start unless the node's kubelet allows it with
 * --allowed-unsafe-sysctls. Some of these are safe only on newer kernels
 * (the kubelet checks); tcptune names the set, not the kernel.
 */
static const char *const k8s_safe[] = {
	"kernel.shm_rmid_forced",	    "net.ipv4.ip_local_port_range",
	"net.ipv4.ip_local_reserved_ports", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ping_group_range",	    "net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",	    "net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_keepalive_time",	    "net.ipv4.tcp_syncookies",
};

bool sysctl_k8s_safe(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(k8s_safe); i++)
		if (strcmp(key, k8s_safe[i]) == 0)
			return true;
	return false;
}
