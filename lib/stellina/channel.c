// SPDX-License-Identifier: MIT
// Typed channel helpers over the raw channel syscalls.
#include <stellina/channel.h>
#include <string.h>

int ch_create(handle_t *a, handle_t *b) {
    handle_t ends[2];
    int64_t r = sys_channel_create(ends);
    if (r < 0)
        return (int)r;
    *a = ends[0];
    *b = ends[1];
    return 0;
}

int ch_send(handle_t ch, uint32_t kind, const void *data, size_t len, const handle_t *handles,
            size_t nhandles) {
    // Checked here because MSGINFO would silently wrap an oversized length.
    if (len > MSG_MAX_DATA || nhandles > MSG_MAX_HANDLES || kind > 0x7fffffffu)
        return ERR_TOO_LARGE;
    return (int)sys_channel_send(ch, MSGINFO(kind, len, nhandles), data, handles);
}

int ch_send_data(handle_t ch, const void *data, size_t len) {
    return ch_send(ch, MSG_DATA, data, len, NULL, 0);
}

int ch_send_error(handle_t ch, int32_t err) {
    return ch_send(ch, MSG_ERROR, &err, sizeof(err), NULL, 0);
}

static void msg_fill(struct msg *m, int64_t info) {
    m->kind = MSGINFO_KIND(info);
    m->len = MSGINFO_LEN(info);
    m->nhandles = MSGINFO_HANDLES(info);
}

int ch_recv(handle_t ch, struct msg *m) {
    int64_t r = sys_channel_recv(ch, m->data, sizeof(m->data), m->handles);
    if (r < 0)
        return (int)r;
    msg_fill(m, r);
    return 0;
}

int ch_call(handle_t ch, uint32_t kind, const void *data, size_t len, struct msg *reply) {
    if (len > MSG_MAX_DATA || kind > 0x7fffffffu)
        return ERR_TOO_LARGE;
    // The call sends from and receives into the same buffer.
    if (data != reply->data)
        memmove(reply->data, data, len);
    int64_t r = sys_channel_call(ch, MSGINFO(kind, len, 0), reply->data, sizeof(reply->data),
                                 reply->handles);
    if (r < 0)
        return (int)r;
    msg_fill(reply, r);
    return 0;
}

void msg_close_handles(struct msg *m) {
    for (uint32_t i = 0; i < m->nhandles && i < MSG_MAX_HANDLES; i++)
        sys_handle_close(m->handles[i]);
    m->nhandles = 0;
}

int32_t msg_error_code(const struct msg *m) {
    int32_t err;
    if (m->kind != MSG_ERROR || m->len != sizeof(err))
        return ERR_UNEXPECTED;
    memcpy(&err, m->data, sizeof(err));
    return err;
}
