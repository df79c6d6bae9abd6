// SPDX-License-Identifier: GPL-2.0
/*
 * hello: a custom netlink protocol (NETLINK_HELLO, 31) in the initial
 * network namespace.
 *
 * Messages (nlmsg_type, all >= NLMSG_MIN_TYPE; payloads in host byte order):
 *
 *   HELLO_MSG_ECHO (0x10)      request; payload: optional text, at most
 *                              HELLO_ECHO_MAX bytes, ending at the first NUL
 *                              or at nlmsg_len. Answered by a unicast
 *                              NLMSG_DONE to the sender's port whose payload
 *                              is the NUL-terminated text
 *                              "Hello from kernel! seq=<nlmsg_seq>".
 *   HELLO_MSG_BROADCAST (0x11) request; payload: struct hello_broadcast_req.
 *                              Needs CAP_NET_ADMIN. Broadcasts one
 *                              HELLO_MSG_EVENT to the group it names.
 *   HELLO_MSG_EVENT (0x12)     notification; payload: struct hello_event.
 *
 * Every reply carries the request's nlmsg_seq. Errors are NLMSG_ERROR
 * messages with an extended-ACK text, as netlink_rcv_skb() would send;
 * NLM_F_ACK asks for an acknowledgement after a successful request.
 * A message whose nlmsg_len does not fit the datagram is answered with
 * -EINVAL (its header is echoed, nothing past it is read) and ends the
 * datagram; a datagram too short for a header is dropped with a warning.
 *
 * The module parameter wrong_reply makes echo replies say seq+1, so that a
 * test can be seen to fail.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#define NETLINK_HELLO		31
#define HELLO_GROUPS		32
#define HELLO_ECHO_MAX		256
#define HELLO_REPLY_MAX		48

enum {
	HELLO_MSG_ECHO = 0x10,
	HELLO_MSG_BROADCAST,
	HELLO_MSG_EVENT,
};

struct hello_broadcast_req {
	__u32 group;		/* 1 to HELLO_GROUPS */
};

struct hello_event {
	__u32 count;		/* broadcasts served since the module loaded */
	__u32 group;		/* the group it was sent to */
};

static bool wrong_reply;
module_param(wrong_reply, bool, 0644);
MODULE_PARM_DESC(wrong_reply, "echo seq+1 instead of seq (to see a test fail)");

static struct sock *hello_sk;
static atomic_t hello_count = ATOMIC_INIT(0);

static int hello_echo(struct sk_buff *skb, const struct nlmsghdr *nlh,
		      struct netlink_ext_ack *extack)
{
	u32 portid = NETLINK_CB(skb).portid;
	int len = nlmsg_len(nlh);
	char text[HELLO_REPLY_MAX];
	struct nlmsghdr *rep;
	struct sk_buff *out;
	int n;

	if (len > HELLO_ECHO_MAX) {
		NL_SET_ERR_MSG(extack, "echo payload longer than 256 bytes");
		return -EINVAL;
	}
	/* The text ends at the first NUL, or at the end of the payload. */
	pr_debug("echo seq=%u from port %u: \"%*pE\"\n", nlh->nlmsg_seq, portid,
		 (int)strnlen(nlmsg_data(nlh), len), nlmsg_data(nlh));

	n = scnprintf(text, sizeof(text), "Hello from kernel! seq=%u",
		      nlh->nlmsg_seq + (READ_ONCE(wrong_reply) ? 1 : 0));
	out = nlmsg_new(n + 1, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	rep = nlmsg_put(out, 0, nlh->nlmsg_seq, NLMSG_DONE, n + 1, 0);
	if (!rep) {
		kfree_skb(out);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(rep), text, n + 1);
	/* The port the kernel recorded, not nlmsg_pid, which anyone can set. */
	return nlmsg_unicast(hello_sk, out, portid);
}

static int hello_broadcast(struct sk_buff *skb, const struct nlmsghdr *nlh,
			   struct netlink_ext_ack *extack)
{
	const struct hello_broadcast_req *req;
	struct hello_event *ev;
	struct nlmsghdr *rep;
	struct sk_buff *out;
	u32 group;
	int err;

	if (nlmsg_len(nlh) != sizeof(*req)) {
		NL_SET_ERR_MSG(extack, "broadcast payload must be a 4-byte group number");
		return -EINVAL;
	}
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack, "broadcast needs CAP_NET_ADMIN");
		return -EPERM;
	}
	req = nlmsg_data(nlh);
	group = req->group;
	if (group < 1 || group > HELLO_GROUPS) {
		NL_SET_ERR_MSG(extack, "group out of range 1-32");
		return -EINVAL;
	}

	out = nlmsg_new(sizeof(*ev), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	rep = nlmsg_put(out, 0, 0, HELLO_MSG_EVENT, sizeof(*ev), 0);
	if (!rep) {
		kfree_skb(out);
		return -EMSGSIZE;
	}
	ev = nlmsg_data(rep);
	ev->count = atomic_inc_return(&hello_count);
	ev->group = group;
	NETLINK_CB(out).dst_group = group;
	pr_debug("event %u to group %u for port %u\n",
		 ev->count, group, NETLINK_CB(skb).portid);

	err = netlink_broadcast(hello_sk, out, 0, group, GFP_KERNEL);
	/*
	 * Neither is the requester's error: -ESRCH means the group has no
	 * member; -ENOBUFS means a member that asked for delivery errors
	 * (NETLINK_BROADCAST_ERROR) had a full receive buffer and missed the
	 * event (it sees an overrun), while the others got it.
	 */
	if (err == -ENOBUFS) /* out is consumed: ev is gone */
		pr_debug("an event to group %u: a member missed it\n", group);
	return (err == -ESRCH || err == -ENOBUFS) ? 0 : err;
}

static int hello_rcv_msg(struct sk_buff *skb, const struct nlmsghdr *nlh,
			 struct netlink_ext_ack *extack)
{
	switch (nlh->nlmsg_type) {
	case HELLO_MSG_ECHO:
		return hello_echo(skb, nlh, extack);
	case HELLO_MSG_BROADCAST:
		return hello_broadcast(skb, nlh, extack);
	default:
		NL_SET_ERR_MSG(extack, "unknown message type");
		return -EOPNOTSUPP;
	}
}

/*
 * Answer a header whose nlmsg_len is impossible. netlink_ack() may copy
 * nlmsg_len bytes of the request into the error, so it gets a copy of the
 * header that claims no payload.
 */
static void hello_reject_len(struct sk_buff *skb, const struct nlmsghdr *nlh,
			     u32 avail)
{
	struct netlink_ext_ack extack = {};
	struct nlmsghdr hdr = *nlh;

	pr_warn_ratelimited("port %u: nlmsg_len %u does not fit %u bytes\n",
			    NETLINK_CB(skb).portid, nlh->nlmsg_len, avail);
	hdr.nlmsg_len = NLMSG_HDRLEN;
	NL_SET_ERR_MSG(&extack, "nlmsg_len inconsistent with the datagram");
	netlink_ack(skb, &hdr, -EINVAL, &extack);
}

/*
 * Called in the sender's context for each datagram, possibly on several
 * CPUs at once: it touches no shared state but the event counter.
 */
static void hello_input(struct sk_buff *skb)
{
	unsigned char *pos = skb->data;
	u32 avail = skb->len;

	while (avail >= NLMSG_HDRLEN) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)pos;
		struct netlink_ext_ack extack = {};
		int err = 0;
		u32 step;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > avail) {
			hello_reject_len(skb, nlh, avail);
			return;
		}
		/* Like netlink_rcv_skb(): only requests, no control messages. */
		if ((nlh->nlmsg_flags & NLM_F_REQUEST) &&
		    nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			err = hello_rcv_msg(skb, nlh, &extack);
		if (err)
			pr_debug("port %u: type %#x seq=%u rejected: %d\n",
				 NETLINK_CB(skb).portid, nlh->nlmsg_type,
				 nlh->nlmsg_seq, err);
		if (err || (nlh->nlmsg_flags & NLM_F_ACK))
			netlink_ack(skb, nlh, err, &extack);

		step = min_t(u32, NLMSG_ALIGN(nlh->nlmsg_len), avail);
		pos += step;
		avail -= step;
	}
	if (avail)
		pr_warn_ratelimited("port %u: dropped %u bytes, too short for a header\n",
				    NETLINK_CB(skb).portid, avail);
}

static int hello_bind(struct net *net, int group)
{
	pr_debug("a socket joined group %d\n", group);
	return 0;
}

static void hello_unbind(struct net *net, int group)
{
	pr_debug("a socket left group %d\n", group);
}

static int __init hello_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.groups = HELLO_GROUPS,
		.input = hello_input,
		.bind = hello_bind,
		.unbind = hello_unbind,
	};

	hello_sk = netlink_kernel_create(&init_net, NETLINK_HELLO, &cfg);
	if (!hello_sk) {
		pr_err("cannot create netlink protocol %d\n", NETLINK_HELLO);
		return -ENOMEM;
	}
	pr_info("netlink protocol %d registered, %d groups%s\n",
		NETLINK_HELLO, HELLO_GROUPS,
		wrong_reply ? ", wrong_reply set" : "");
	return 0;
}

static void __exit hello_exit(void)
{
	netlink_kernel_release(hello_sk);
	pr_info("netlink protocol %d unregistered after %d events\n",
		NETLINK_HELLO, atomic_read(&hello_count));
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hello netlink protocol 31: echo and multicast events");
MODULE_AUTHOR("nlkit");
