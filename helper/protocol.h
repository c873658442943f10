/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The module <-> helper protocol.  Shared by pam_oidc.so (libc only) and
 * pam_oidc_helper.
 *
 * Transport: a SOCK_STREAM socketpair; the helper gets its end as fd 3
 * (PO_HELPER_FD).  Every message is a frame:
 *
 *     u32 type      (network byte order, one of enum po_type)
 *     u32 length    (network byte order, 0 .. PO_MAX_PAYLOAD)
 *     length bytes of payload
 *
 * A payload is a sequence of fields, each either
 *     u32            (network byte order), or
 *     string         u32 length (0 .. PO_MAX_STRING) + bytes, no NUL inside.
 * A receiver decodes exactly the fields the type prescribes and rejects a
 * frame with bytes left over, a string with a NUL, an unknown type, or a type
 * it does not expect at this point.  Any protocol error ends the login with
 * PAM_SERVICE_ERR (never success).
 *
 * Conversation:
 *
 *   module -> helper  HELLO   u32 version (PO_VERSION), u32 flags (PO_F_*),
 *                             str service, str user, str rhost, str ruser,
 *                             str tty, str config_path, str flow ("" = config)
 *   helper -> module  DEADLINE u32 seconds: the helper will have sent VERDICT
 *                             within this many seconds from now; the module
 *                             kills it if it has not (sent again as it
 *                             changes; the module starts with PO_FIRST_DEADLINE)
 *   helper -> module  INFO    str text      (PAM_TEXT_INFO, no answer)
 *   helper -> module  ERROR   str text      (PAM_ERROR_MSG, no answer)
 *   helper -> module  PROMPT  u32 echo (0/1), str text
 *   module -> helper  ANSWER  str answer    (reply to PROMPT; the helper may
 *                             already be past it, e.g. it kept polling)
 *   module -> helper  CONV_FAIL (empty)     conversation failed or aborted
 *   helper -> module  VERDICT u32 result (PO_R_*), str account, str reason
 *
 * After VERDICT the helper exits.  The module verifies that a successful
 * verdict names the PAM user.
 */
#ifndef PAM_OIDC_PROTOCOL_H
#define PAM_OIDC_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define PO_VERSION 1
#define PO_HELPER_FD 3
#define PO_MAX_PAYLOAD (64 * 1024)
#define PO_MAX_STRING (32 * 1024)
#define PO_FIRST_DEADLINE 120 /* seconds, until the helper announces its own */

enum po_type {
	PO_HELLO = 1,
	PO_DEADLINE = 2,
	PO_INFO = 3,
	PO_ERROR = 4,
	PO_PROMPT = 5,
	PO_ANSWER = 6,
	PO_CONV_FAIL = 7,
	PO_VERDICT = 8,
};

/* HELLO flags */
#define PO_F_DEBUG 0x1u       /* module argument "debug" */
#define PO_F_ENTER_PROMPT 0x2u /* end the instructions with a prompt (SSH) */
#define PO_F_UTF8 0x4u        /* the terminal locale is UTF-8 */
#define PO_F_ALL (PO_F_DEBUG | PO_F_ENTER_PROMPT | PO_F_UTF8)

/* VERDICT results (mapped to PAM codes by the module) */
enum po_result {
	PO_R_SUCCESS = 0,
	PO_R_AUTH_ERR = 1,
	PO_R_AUTHINFO_UNAVAIL = 2,
	PO_R_SERVICE_ERR = 3,
};

/* A growable (writer) or bounded (reader) byte buffer. */
struct po_buf {
	unsigned char *data;
	size_t len; /* bytes in data */
	size_t cap;
	size_t off; /* read position */
};

/* Return codes of the po_* functions */
#define PO_OK 0
#define PO_EIO (-1)      /* read/write error or peer closed */
#define PO_EPROTO (-2)   /* malformed frame or field */
#define PO_ETIMEOUT (-3) /* nothing arrived in time */
#define PO_ENOMEM (-4)

void po_buf_init(struct po_buf *b);
/* Wipes the contents before freeing (answers may hold secrets). */
void po_buf_free(struct po_buf *b);

int po_put_u32(struct po_buf *b, uint32_t v);
int po_put_str(struct po_buf *b, const char *s);
int po_get_u32(struct po_buf *b, uint32_t *v);
/* *s is malloc'd and NUL-terminated. */
int po_get_str(struct po_buf *b, char **s);
/* PO_OK if every byte was consumed, else PO_EPROTO. */
int po_end(const struct po_buf *b);

/* Send one frame (EINTR-safe, no SIGPIPE). */
int po_send(int fd, uint32_t type, const struct po_buf *payload);
/* Receive one frame; timeout_ms < 0 waits forever.  The timeout covers the
 * whole frame.  payload is reset and filled. */
int po_recv(int fd, uint32_t *type, struct po_buf *payload, int timeout_ms);

/* Wipe and free a string. */
void po_free_secret(char *s);

#endif
