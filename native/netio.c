/*
 * netio: batched socket I/O for the load agents (src/load/netio.ts is its only user).
 *
 * Node's dgram and net pay one JS call, one Buffer and (for net) one stream pass per packet or
 * read; at tens of thousands of queries per second that, not the kernel, bounds an agent. Here
 * the sockets are watched by libuv poll handles on Node's own loop; ready sockets are read with
 * recvmmsg/recv into slots of a buffer shared with JS, and the events of one loop iteration are
 * handed to JS in one call (from a check handle, or earlier when the event table fills). JS
 * writes many queries or requests into a shared buffer and sends them in one call (sendmmsg for
 * UDP, write per TCP socket). All protocol logic stays in TypeScript.
 */
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EV_DATA = 0, EV_CONNECT = 1, EV_ERROR = 2, EV_EOF = 3 };
enum { K_UDP = 0, K_TCP = 1 };
#define EV_INTS 4
#define MMSG_MAX 64

typedef struct Poller Poller;

typedef struct Watch {
  uv_poll_t poll;
  Poller *p;
  int fd;
  int id;
  int kind;
  int connecting;
} Watch;

struct Poller {
  napi_env env;
  napi_ref cb;
  napi_ref rx_ref;
  napi_ref ev_ref;
  napi_ref resource;
  napi_async_context actx;
  uint8_t *rx;
  size_t slot;
  int max_events;
  int32_t *ev;
  int n;
  uv_check_t check;
  Watch **watches;
  int max_ids;
  int destroyed;
};

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "netio: N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static void deliver(Poller *p) {
  if (p->n == 0 || p->destroyed) return;
  napi_env env = p->env;
  napi_handle_scope hs;
  if (napi_open_handle_scope(env, &hs) != napi_ok) return;
  napi_value cb, resource, argv[1], result;
  int n = p->n;
  p->n = 0;
  napi_get_reference_value(env, p->cb, &cb);
  napi_get_reference_value(env, p->resource, &resource);
  napi_create_int32(env, n, &argv[0]);
  if (napi_make_callback(env, p->actx, resource, cb, 1, argv, &result) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, hs);
}

static void push(Poller *p, Watch *w, int type, int value) {
  int32_t *e = p->ev + p->n * EV_INTS;
  e[0] = w->id;
  e[1] = type;
  e[2] = value;
  e[3] = w->fd;
  p->n++;
}

/* Makes room for one more event: hands the full table to JS first. False if the watch died meanwhile. */
static int room(Poller *p, Watch *w) {
  if (p->n < p->max_events) return 1;
  deliver(p);
  return w->fd >= 0 && !p->destroyed;
}

/* The socket's pending error (libuv reports any POLLERR as UV_EBADF), else libuv's status. */
static int socket_error(int fd, int status) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == 0 && status < 0) err = -status;
  return err;
}

static void on_poll(uv_poll_t *h, int status, int events) {
  Watch *w = (Watch *)h->data;
  Poller *p = w->p;
  if (w->fd < 0 || p->destroyed) return;
  if (w->connecting) {
    /* only the writable edge (or an error) tells a connect's outcome */
    if (status == 0 && !(events & (UV_WRITABLE | UV_DISCONNECT))) return;
    int err = socket_error(w->fd, status);
    if (!room(p, w)) return;
    if (err) {
      uv_poll_stop(&w->poll);
      push(p, w, EV_ERROR, err);
      return;
    }
    w->connecting = 0;
    uv_poll_start(&w->poll, UV_READABLE, on_poll);
    push(p, w, EV_CONNECT, 0);
    return;
  }
  if (status < 0) {
    if (!room(p, w)) return;
    int err = socket_error(w->fd, status);
    if (w->kind == K_UDP) {
      /* an ICMP error (port or host unreachable) on a connected UDP socket: reading SO_ERROR
       * cleared it; the socket stays usable, so it is reported and watched again (libuv stopped
       * the handle), or every later answer on it would go unread */
      push(p, w, EV_ERROR, err ? err : EIO);
      uv_poll_start(&w->poll, UV_READABLE, on_poll);
      return;
    }
    uv_poll_stop(&w->poll);
    push(p, w, EV_ERROR, err ? err : EIO);
    return;
  }
  if (w->kind == K_UDP) {
    struct mmsghdr msgs[MMSG_MAX];
    struct iovec iov[MMSG_MAX];
    /* a bounded drain per wake-up, so one busy socket cannot starve the others */
    for (int total = 0; total < 4 * MMSG_MAX;) {
      if (!room(p, w)) return;
      int space = p->max_events - p->n;
      if (space > MMSG_MAX) space = MMSG_MAX;
      for (int i = 0; i < space; i++) {
        iov[i].iov_base = p->rx + (size_t)(p->n + i) * p->slot;
        iov[i].iov_len = p->slot;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int r = recvmmsg(w->fd, msgs, space, MSG_DONTWAIT, NULL);
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        /* an ICMP error recvmmsg took from the socket: reported like a POLLERR, then drain on */
        push(p, w, EV_ERROR, errno);
        total++;
        continue;
      }
      if (r <= 0) return;
      for (int i = 0; i < r; i++) push(p, w, EV_DATA, (int)msgs[i].msg_len);
      total += r;
      if (r < space) return;
    }
    return;
  }
  if (!room(p, w)) return;
  ssize_t r = recv(w->fd, p->rx + (size_t)p->n * p->slot, p->slot, MSG_DONTWAIT);
  if (r > 0) push(p, w, EV_DATA, (int)r);
  else if (r == 0) {
    uv_poll_stop(&w->poll);
    push(p, w, EV_EOF, 0);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    uv_poll_stop(&w->poll);
    push(p, w, EV_ERROR, errno);
  }
}

static void on_check(uv_check_t *h) { deliver((Poller *)h->data); }

static void free_watch(uv_handle_t *h) { free(h->data); }

static void close_watch(Poller *p, int id) {
  Watch *w = p->watches[id];
  if (!w) return;
  p->watches[id] = NULL;
  uv_poll_stop(&w->poll);
  close(w->fd);
  w->fd = -1;
  uv_close((uv_handle_t *)&w->poll, free_watch);
}

static void free_poller(uv_handle_t *h) {
  Poller *p = (Poller *)h->data;
  free(p->watches);
  free(p);
}

static void destroy_poller(Poller *p) {
  if (p->destroyed) return;
  for (int i = 0; i < p->max_ids; i++) close_watch(p, i);
  p->destroyed = 1;
  napi_env env = p->env;
  napi_delete_reference(env, p->cb);
  napi_delete_reference(env, p->rx_ref);
  napi_delete_reference(env, p->ev_ref);
  napi_delete_reference(env, p->resource);
  napi_async_destroy(env, p->actx);
  uv_check_stop(&p->check);
  uv_close((uv_handle_t *)&p->check, free_poller);
}

static void cleanup_hook(void *arg) {
  Poller *p = (Poller *)arg;
  if (p->destroyed) return;
  /* environment teardown: JS can no longer be called, only close what is open */
  for (int i = 0; i < p->max_ids; i++) close_watch(p, i);
  p->destroyed = 1;
  uv_check_stop(&p->check);
  uv_close((uv_handle_t *)&p->check, free_poller);
}

static Poller *get_poller(napi_env env, napi_value v) {
  Poller *p = NULL;
  if (napi_get_value_external(env, v, (void **)&p) != napi_ok || !p || p->destroyed) {
    napi_throw_error(env, NULL, "netio: poller is closed");
    return NULL;
  }
  return p;
}

/* createPoller(onEvents, rx: Buffer, slot, ev: Int32Array, maxIds) -> external */
static napi_value create_poller(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Poller *p = calloc(1, sizeof *p);
  if (!p) {
    napi_throw_error(env, NULL, "netio: out of memory");
    return NULL;
  }
  p->env = env;
  void *rx;
  size_t rx_len;
  CHECK(napi_get_buffer_info(env, argv[1], &rx, &rx_len));
  uint32_t slot, max_ids;
  CHECK(napi_get_value_uint32(env, argv[2], &slot));
  napi_typedarray_type t;
  size_t ev_len, off;
  void *ev;
  napi_value ab;
  CHECK(napi_get_typedarray_info(env, argv[3], &t, &ev_len, &ev, &ab, &off));
  CHECK(napi_get_value_uint32(env, argv[4], &max_ids));
  if (t != napi_int32_array || slot == 0 || rx_len / slot < ev_len / EV_INTS) {
    free(p);
    napi_throw_error(env, NULL, "netio: createPoller needs an Int32Array of events and a buffer of events x slot bytes");
    return NULL;
  }
  p->rx = rx;
  p->slot = slot;
  p->ev = ev;
  p->max_events = (int)(ev_len / EV_INTS);
  p->max_ids = (int)max_ids;
  p->watches = calloc(max_ids ? max_ids : 1, sizeof(Watch *));
  napi_value resource, name;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_string_utf8(env, "discobench.netio", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &p->actx));
  CHECK(napi_create_reference(env, argv[0], 1, &p->cb));
  CHECK(napi_create_reference(env, argv[1], 1, &p->rx_ref));
  CHECK(napi_create_reference(env, argv[3], 1, &p->ev_ref));
  CHECK(napi_create_reference(env, resource, 1, &p->resource));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_check_init(loop, &p->check);
  p->check.data = p;
  uv_check_start(&p->check, on_check);
  uv_unref((uv_handle_t *)&p->check);
  napi_add_env_cleanup_hook(env, cleanup_hook, p);
  napi_value ext;
  CHECK(napi_create_external(env, p, NULL, NULL, &ext));
  return ext;
}

static int parse_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return AF_INET6;
  }
  return -1;
}

/* open(poller, id, kind, host, port, bufBytes) -> fd, or -errno */
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Poller *p = get_poller(env, argv[0]);
  if (!p) return NULL;
  int32_t id, kind, port, bufsize;
  char host[64];
  size_t hl;
  CHECK(napi_get_value_int32(env, argv[1], &id));
  CHECK(napi_get_value_int32(env, argv[2], &kind));
  CHECK(napi_get_value_string_utf8(env, argv[3], host, sizeof host, &hl));
  CHECK(napi_get_value_int32(env, argv[4], &port));
  CHECK(napi_get_value_int32(env, argv[5], &bufsize));
  if (id < 0 || id >= p->max_ids) {
    napi_throw_range_error(env, NULL, "netio: socket id out of range");
    return NULL;
  }
  close_watch(p, id);
  struct sockaddr_storage ss;
  socklen_t sl;
  int family = parse_addr(host, port, &ss, &sl);
  if (family < 0) {
    napi_throw_error(env, NULL, "netio: not an IP address");
    return NULL;
  }
  int fd = socket(family, (kind == K_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int result = fd;
  if (fd < 0) result = -errno;
  else {
    if (bufsize > 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
    }
    if (kind == K_TCP) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int c = connect(fd, (struct sockaddr *)&ss, sl);
    if (c < 0 && errno != EINPROGRESS) {
      result = -errno;
      close(fd);
    } else {
      uv_loop_t *loop;
      napi_get_uv_event_loop(env, &loop);
      Watch *w = calloc(1, sizeof *w);
      w->p = p;
      w->fd = fd;
      w->id = id;
      w->kind = kind;
      w->connecting = kind == K_TCP;
      w->poll.data = w;
      int e = uv_poll_init_socket(loop, &w->poll, fd);
      if (e < 0) {
        free(w);
        close(fd);
        result = e;
      } else {
        p->watches[id] = w;
        uv_poll_start(&w->poll, w->connecting ? UV_WRITABLE : UV_READABLE, on_poll);
      }
    }
  }
  CHECK(napi_create_int32(env, result, &out));
  return out;
}

/* close(poller, id) */
static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Poller *p = get_poller(env, argv[0]);
  if (!p) return NULL;
  int32_t id;
  CHECK(napi_get_value_int32(env, argv[1], &id));
  if (id >= 0 && id < p->max_ids) close_watch(p, id);
  return NULL;
}

/*
 * send(poller, tx: Buffer, ids: Int32Array, offs: Int32Array, lens: Int32Array, n) -> sent
 * Entry i is lens[i] bytes at tx[offs[i]] for socket ids[i]; runs of one UDP socket go out in
 * sendmmsg calls, TCP entries by write. lens[i] is overwritten with the bytes sent, or -errno.
 */
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Poller *p = get_poller(env, argv[0]);
  if (!p) return NULL;
  uint8_t *tx;
  size_t txl, len, off;
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&tx, &txl));
  napi_typedarray_type t;
  napi_value ab;
  int32_t *ids, *offs, *lens;
  CHECK(napi_get_typedarray_info(env, argv[2], &t, &len, (void **)&ids, &ab, &off));
  CHECK(napi_get_typedarray_info(env, argv[3], &t, &len, (void **)&offs, &ab, &off));
  CHECK(napi_get_typedarray_info(env, argv[4], &t, &len, (void **)&lens, &ab, &off));
  int32_t n;
  CHECK(napi_get_value_int32(env, argv[5], &n));
  if (n < 0 || (size_t)n > len) n = 0;
  int sent = 0;
  struct mmsghdr msgs[MMSG_MAX];
  struct iovec iov[MMSG_MAX];
  for (int i = 0; i < n;) {
    int id = ids[i];
    Watch *w = id >= 0 && id < p->max_ids ? p->watches[id] : NULL;
    if (!w || w->fd < 0) {
      lens[i++] = -EBADF;
      continue;
    }
    if (w->kind == K_TCP) {
      int want = lens[i];
      int done = 0;
      while (done < want) {
        ssize_t r = write(w->fd, tx + offs[i] + done, (size_t)(want - done));
        if (r < 0) {
          if (errno == EINTR) continue;
          break;
        }
        done += (int)r;
      }
      lens[i] = done == want ? done : (done > 0 ? done : -errno);
      if (done == want) sent++;
      i++;
      continue;
    }
    int k = 0;
    while (i + k < n && k < MMSG_MAX && ids[i + k] == id) {
      iov[k].iov_base = tx + offs[i + k];
      iov[k].iov_len = (size_t)lens[i + k];
      memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      k++;
    }
    int done = 0;
    while (done < k) {
      int r = sendmmsg(w->fd, msgs + done, (unsigned)(k - done), MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EINTR) continue;
        int e = -errno;
        for (int j = done; j < k; j++) lens[i + j] = e;
        break;
      }
      done += r;
    }
    sent += done;
    i += k;
  }
  CHECK(napi_create_int32(env, sent, &out));
  return out;
}

/* destroy(poller): closes every socket; the poller cannot be used afterwards */
static napi_value destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Poller *p = NULL;
  CHECK(napi_get_value_external(env, argv[0], (void **)&p));
  if (p && !p->destroyed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, p);
    destroy_poller(p);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createPoller", NULL, create_poller, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_batch, NULL, NULL, NULL, napi_default, NULL},
      {"destroy", NULL, destroy, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
