/* nl.c - libmnl socket, request/ack/dump loop, extack capture */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include "nl.h"

int nfx_nl_open(struct nfx_nl *nl, int bus, struct nfx_err *err)
{
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	/* zeroed: libmnl before 1.0.5 leaves an attribute's padding as
	 * it finds it, and those bytes go to the kernel */
	nl->buf = calloc(1, NFX_NL_RCVBUF);
	if (!nl->buf)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	nl->sk = mnl_socket_open(bus);
	if (!nl->sk) {
		ret = nfx_err_set(err, -errno, "cannot open netlink socket: %s",
				  strerror(errno));
		goto out_free;
	}
	/* both are optional: an old kernel just gives no extack text */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = nfx_err_set(err, -errno, "cannot bind netlink socket: %s",
				  strerror(errno));
		goto out_close;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	return 0;

out_close:
	mnl_socket_close(nl->sk);
	nl->sk = NULL;
out_free:
	free(nl->buf);
	nl->buf = NULL;
	return ret;
}

void nfx_nl_close(struct nfx_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	nl->sk = NULL;
	nl->buf = NULL;
}

struct nlmsghdr *nfx_nl_put(struct nfx_nl *nl, unsigned int type,
			    unsigned int flags)
{
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

struct talk {
	mnl_cb_t cb;
	void *data;
	int kerr;
	char extack[256];
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	if (type == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	struct talk *t = data;
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->kerr = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* without NLM_F_CAPPED the request follows the header */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_attr_cb, tb);
		if (tb[NLMSGERR_ATTR_MSG])
			snprintf(t->extack, sizeof(t->extack), "%s",
				 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	t->kerr = e->error;
	return MNL_CB_ERROR;
}

/* The end of a dump carries the dump's own status. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const int *status = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) && *status < 0) {
		t->kerr = *status;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	(void)nlh;
	t->kerr = -ENOSPC;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* with a control array libmnl has no defaults: name every type */
static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = overrun_cb,
};

int nfx_nl_talk(struct nfx_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, struct nfx_err *err)
{
	struct talk t = { .cb = cb, .data = data };
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return nfx_err_set(err, -errno, "netlink send: %s",
				   strerror(errno));
	do {
		len = mnl_socket_recvfrom(nl->sk, nl->buf, NFX_NL_RCVBUF);
		if (len < 0)
			return nfx_err_set(err, -errno, "netlink receive: %s",
					   strerror(errno));
		ret = mnl_cb_run2(nl->buf, len, seq, nl->portid, data_cb, &t,
				  ctl_cb, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_ERROR) {
		int code = t.kerr ? t.kerr : -errno;

		if (!code)
			code = -EIO;
		if (t.extack[0])
			return nfx_err_set(err, code, "%s (netlink: %s)",
					   strerror(-code), t.extack);
		return nfx_err_set(err, code, "%s", strerror(-code));
	}
	return 0;
}

struct attrs {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct attrs *a = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, a->max) < 0)
		return MNL_CB_OK;
	a->tb[type] = attr;
	return MNL_CB_OK;
}

int nfx_nl_parse(const struct nlmsghdr *nlh, unsigned int offset,
		 const struct nlattr **tb, unsigned int max)
{
	struct attrs a = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, offset, attr_cb, &a) < 0 ? -EINVAL : 0;
}

int nfx_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			unsigned int max)
{
	struct attrs a = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, attr_cb, &a) < 0 ? -EINVAL : 0;
}
