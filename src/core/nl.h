/* nl.h - libmnl socket, request/ack/dump loop, extack capture */
#ifndef NICFIX_NL_H
#define NICFIX_NL_H

#include <libmnl/libmnl.h>

#include "nicfix.h"

/* Replies of the ethtool family (a full ETH_SS_FEATURES string set) and
 * rtnetlink dumps can exceed a page: receive into 32 KiB, as iproute2.
 */
#define NFX_NL_RCVBUF 32768

/**
 * struct nfx_nl - one netlink socket
 * @sk: the libmnl socket
 * @portid: its port id
 * @seq: last sequence number used
 * @buf: request buffer of MNL_SOCKET_BUFFER_SIZE bytes or more, owned
 */
struct nfx_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	char *buf;
};

/**
 * nfx_nl_open() - open and bind a socket on @bus with extended acks
 * Return: 0 or -errno.
 */
int nfx_nl_open(struct nfx_nl *nl, int bus, struct nfx_err *err);

/** nfx_nl_close() - close @nl; a zeroed or closed one is fine */
void nfx_nl_close(struct nfx_nl *nl);

/**
 * nfx_nl_put() - start a request in @nl->buf
 * @type: message type (family id for generic netlink)
 * @flags: NLM_F_* besides NLM_F_REQUEST
 */
struct nlmsghdr *nfx_nl_put(struct nfx_nl *nl, unsigned int type,
			    unsigned int flags);

/**
 * nfx_nl_talk() - send @nlh and process replies until the ack or the end
 *	of the dump
 * @cb: called for every data message; may be NULL
 * @data: passed to @cb
 * @err: may be NULL; gets the kernel's extack message when it gives one
 *
 * Return: 0, or the kernel's -errno, or a local -errno.
 */
int nfx_nl_talk(struct nfx_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, struct nfx_err *err);

/**
 * nfx_nl_parse() - fill @tb[0..@max] from the attributes of @nlh after
 *	@offset bytes of payload
 * nfx_nl_parse_nested() - the same for the attributes inside @nest
 *
 * Attributes above @max, which a newer kernel may send, are ignored;
 * callers validate the types of the ones they use.  @tb is zeroed first
 * and its pointers are borrowed from the message.
 *
 * Return: 0 or -EINVAL for a malformed message.
 */
int nfx_nl_parse(const struct nlmsghdr *nlh, unsigned int offset,
		 const struct nlattr **tb, unsigned int max);
int nfx_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			unsigned int max);

#endif
