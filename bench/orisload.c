/* SPDX-License-Identifier: Apache-2.0
 * orisload: the load generators and the reference broker of bench/run.sh, in C so that one
 * client program, costing the same few instructions a message, drives both the raw libzmq
 * proxy (the reference, P) and orisd, and leaves the shared cores to the broker under test.
 *
 *   orisload proxy --front EP --back EP [--hwm H] [--plain]
 *       the reference P: zmq_proxy between a bound XSUB (front) and a bound XPUB (back). With
 *       --plain its XPUB takes PLAIN subscribers (sub --as MEMBER), every user name accepted,
 *       as orisd's feed does under `security: none` (an explanatory variant, not P itself).
 *   orisload forward --front EP --back EP --pad-to B [--hwm H] [--journal F [--batch-ms MS]]
 *       the ceiling of a broker speaking orisd's protocol: a bound XSUB (front) taking orisd's
 *       ingest frames [ORIS01][PUBLISH][header][body] from PLAIN publishers, a bound XPUB (back)
 *       for PLAIN subscribers, and between them a loop that does none of orisd's work: it reads
 *       the theme at its fixed place in the benchmark's header, and delivers [topic][header
 *       padded with spaces][the body's message, forwarded] of B bytes in all (orisd's delivered
 *       size, measured in the same run). No checks, no id, no journal: what is left is the cost
 *       of the frames and of the bytes. With --journal F it also does what issue 7 calls the work
 *       orisd cannot avoid, as the C sequencing broker of ../shared/bench-peers does it: a
 *       sequence number stamped into each header (`,"seq":N` before its closing brace), and each
 *       stamped header and body appended to a buffer that a thread writes to F and syncs every
 *       MS ms (--batch-ms, 10: orisd's fsync batch).
 *   orisload ackforward --front EP --back EP --file F --pad-to B [--hwm H]
 *       the same ceiling for acknowledged publishing under fsync `always`: a bound ROUTER (front)
 *       taking orisd's PUBLISH requests [routing id][""][ORIS01][PUBLISH][header][body] from PLAIN
 *       DEALERs, each request's header and body appended to file F (one write a turn of the
 *       loop), a thread calling fdatasync on F whenever something was written since the last
 *       (group commit), and once a sync covers a request: its ACK [""][ORIS01][ACK][{"id",
 *       "seq","tiers","deliveries"}, the fields orisd's ACK cannot leave out] and its delivery as
 *       `forward` makes it, in request order. No checks, no index, no recovery.
 *   orisload pub --connect EP --n N [--topics T] [--rate R] [--as MEMBER] [--raw [--pad-to B]]
 *       a PUB socket. With --as: orisd's ingest frames [ORIS01][PUBLISH][header][body] under
 *       the PLAIN user name MEMBER. With --raw: [topic][header][body] for the proxy, the same
 *       bytes less the two constant frames; with --pad-to, the header padded with spaces to make
 *       B bytes in all (the size of what orisd delivers, stamped header included).
 *   orisload sub --connect EP --conns K --n N [--topics T] [--mixed] [--as MEMBER]
 *                [--ready FILE] [--label L] [--idle-s S]
 *       K SUB sockets, each subscribed to 1 topic (or 1 + c%3 topics with --mixed); prints
 *       RESULT with delivered rate, latency percentiles and the mean bytes of a delivered
 *       message (its frames together).
 *   orisload apub --connect EP --n N --as MEMBER [--window W] [--rate R] [--topics T] [--first-topic F]
 *                 [--label L]
 *       a DEALER publishing with acknowledgement, at most W requests in flight (and R a second
 *       when given), on topics F to F+T-1 in turn; prints RESULT with ACK rate and ACK latency
 *       percentiles.
 *   orisload disk --file F [--n N] [--secs S] [--window W]
 *       the disk's own rate: write 128 bytes + fdatasync one at a time, then back-to-back
 *       group commit from a producer thread keeping W records (256) waiting for their sync,
 *       as the acknowledged publisher keeps W requests in flight (commit latency p50/p99).
 *   orisload syncer --dir D [--interval-ms MS] [--bytes-per-ms B] [--record R] [--secs S]
 *       a neighbour on the disk of folder D: every millisecond it appends B bytes as records of
 *       R bytes (one write each, as orisd's journal appends one record per item) to D/syncer.bin,
 *       and every MS ms it calls fdatasync, as orisd does under fsync batch. Prints READY, runs
 *       until SIGTERM (or S seconds, 600 by default), then prints RESULT with the syncs' p50/p99
 *       and removes its file.
 *
 * The body is 100 bytes: [0..8) the message number, [8..16) CLOCK_MONOTONIC send time in ns.
 * Topic t is bench/tNNN/gip/signal (the route orisd gives a signal on theme tNNN); subscriber
 * connection c takes topics (c + j*37) % T for j < 1 + c%3 in mixed mode, as bench-peers does.
 * Every endpoint is loopback or ipc: nothing here connects elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BODY_LEN 100
#define MAX_TOPICS 65536

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *arg(int argc, char **argv, const char *name, const char *fallback) {
    for (int i = 2; i < argc - 1; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return fallback;
}

static int flag(int argc, char **argv, const char *name) {
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

static void die(const char *what) {
    fprintf(stderr, "orisload: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static int topic_name(char *buf, int t) { return snprintf(buf, 64, "bench/t%03d/gip/signal", t); }
static int header_text(char *buf, int t) {
    return snprintf(buf, 128, "{\"kind\":\"signal\",\"theme\":\"t%03d\",\"title\":\"bench\"}", t);
}
/* Stops the run when a topic count (or the last topic) is out of the tables' range. */
static int topic_count(int argc, char **argv, int first) {
    int topics = atoi(arg(argc, argv, "--topics", "1"));
    if (topics < 1 || first < 0 || first > MAX_TOPICS - topics) {
        fprintf(stderr, "orisload: --topics and --first-topic must name topics 0 to %d\n", MAX_TOPICS - 1);
        exit(64);
    }
    return topics;
}
static int sub_topic_count(int c, int mixed) { return mixed ? 1 + c % 3 : 1; }
static int sub_topic(int c, int j, int topics) { return (c + j * 37) % topics; }

/* Sleeps, then spins, until message i of a paced stream is due (rate 0: never waits). */
static void pace(uint64_t start, uint64_t i, double rate) {
    if (rate <= 0) return;
    uint64_t due = start + (uint64_t)(i * (1e9 / rate));
    uint64_t t = now_ns();
    if (t >= due) return;
    if (due - t > 60000) {
        uint64_t wake = due - 50000;
        struct timespec ts = {(time_t)(wake / 1000000000ull), (long)(wake % 1000000000ull)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    while (now_ns() < due) {
    }
}

/* Waits until socket s (its ZMQ_FD is fd) has a message to read, or until `due`; 1 if it has.
   Sleeps in ppoll, so a paced client leaves the cores to the broker it measures. */
static int readable_before(void *s, int fd, uint64_t due) {
    for (;;) {
        int events = 0;
        size_t size = sizeof events;
        if (zmq_getsockopt(s, ZMQ_EVENTS, &events, &size)) die("ZMQ_EVENTS");
        if (events & ZMQ_POLLIN) return 1;
        uint64_t t = now_ns();
        if (t >= due) return 0;
        struct timespec left = {(time_t)((due - t) / 1000000000ull), (long)((due - t) % 1000000000ull)};
        struct pollfd p = {fd, POLLIN, 0};
        ppoll(&p, 1, &left, NULL);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(uint64_t *sorted, uint64_t n, double p) {
    return n ? sorted[(uint64_t)(n * p)] / 1000.0 : 0;
}

static void *make_socket(void *ctx, int type, const char *member) {
    void *s = zmq_socket(ctx, type);
    if (!s) die("socket");
    int zero = 0;
    zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero);
    if (member && zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, member, strlen(member))) die("plain user name");
    return s;
}

/* ------------------------------------------------------------------ proxy */
/* With --plain: the ZAP handler of the proxy's XPUB, taking every PLAIN user name as given (as
 * orisd does under `security: none`). Answers each request (version, request id, domain,
 * address, routing id, mechanism, user name, password) with 200 and the user name. */
static void *zap_accept_all(void *ctx) {
    void *rep = zmq_socket(ctx, ZMQ_REP);
    if (zmq_bind(rep, "inproc://zeromq.zap.01")) die("zap bind");
    char part[8][256];
    int len[8];
    for (;;) {
        int n = 0, more = 1;
        while (more) {
            char spill[256];
            int got = zmq_recv(rep, n < 8 ? part[n] : spill, 255, 0);
            if (got < 0) return NULL;
            if (n < 8) len[n] = got > 255 ? 255 : got;
            size_t ml = sizeof more;
            zmq_getsockopt(rep, ZMQ_RCVMORE, &more, &ml);
            n++;
        }
        int plain = n >= 8; /* anything else is refused, and answered: REP needs a reply */
        zmq_send(rep, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(rep, n > 1 ? part[1] : "", n > 1 ? (size_t)len[1] : 0, ZMQ_SNDMORE);
        zmq_send(rep, plain ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send(rep, plain ? "OK" : "no", 2, ZMQ_SNDMORE);
        zmq_send(rep, plain ? part[6] : "", plain ? (size_t)len[6] : 0, ZMQ_SNDMORE);
        zmq_send(rep, "", 0, 0);
    }
}

/* Binds the front (XSUB) and back (XPUB) sockets to --front and --back, and prints READY with
 * the endpoints they got. */
static void bind_and_announce(int argc, char **argv, void *xsub, void *xpub) {
    if (zmq_bind(xsub, arg(argc, argv, "--front", "")) || zmq_bind(xpub, arg(argc, argv, "--back", "")))
        die("bind");
    char front[256], back[256];
    size_t fl = sizeof front, bl = sizeof back;
    zmq_getsockopt(xsub, ZMQ_LAST_ENDPOINT, front, &fl);
    zmq_getsockopt(xpub, ZMQ_LAST_ENDPOINT, back, &bl);
    printf("READY front=%s back=%s\n", front, back);
    fflush(stdout);
}

/* Starts the ZAP handler and turns PLAIN on for socket s, under ZAP domain `domain`. */
static void plain_server(void *ctx, void *s, const char *domain) {
    static pthread_t zap;
    static int started;
    if (!started) {
        if (pthread_create(&zap, NULL, zap_accept_all, ctx)) die("zap thread");
        usleep(100000); /* bound before the first handshake asks it */
        started = 1;
    }
    int one = 1;
    zmq_setsockopt(s, ZMQ_PLAIN_SERVER, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, domain, strlen(domain));
}

static int do_proxy(int argc, char **argv) {
    int hwm = atoi(arg(argc, argv, "--hwm", "10000"));
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 8192);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB), *xpub = zmq_socket(ctx, ZMQ_XPUB);
    zmq_setsockopt(xpub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (flag(argc, argv, "--plain")) plain_server(ctx, xpub, "feed");
    bind_and_announce(argc, argv, xsub, xpub);
    zmq_proxy(xsub, xpub, NULL);
    return 0;
}

/* ------------------------------------------------------------------ forward */
/* Where the benchmark's header (header_text) spells the theme's number, and how long it is. */
#define THEME_DIGITS_AT 27
#define HEADER_MIN 30

/* After the first part of a message was read into part[0], reads the rest into part[1] to
 * part[max - 1], past which each is read into the last place; returns how many parts the
 * message had. A message's parts arrive together, so none of these reads waits. */
static int receive_rest(void *s, zmq_msg_t *part, int max) {
    int n = 1;
    while (zmq_msg_more(&part[n < max ? n - 1 : max - 1])) {
        if (zmq_msg_recv(&part[n < max ? n : max - 1], s, 0) < 0) die("recv");
        n++;
    }
    return n;
}

/* The theme's number in the benchmark's header (at least HEADER_MIN bytes), 0 when it is not
 * one. */
static int theme_of(const char *h) {
    int t = 0;
    for (int i = 0; i < 3; i++) {
        char c = h[THEME_DIGITS_AT + i];
        if (c < '0' || c > '9') return 0;
        t = t * 10 + (c - '0');
    }
    return t;
}

/* Pads the header of hl bytes in `header` with spaces up to `total` bytes (none when it is as
 * long already; the buffer has room for the larger); returns the header's length. */
static int pad(char *header, size_t hl, int total) {
    if (total < (int)hl) return (int)hl;
    memset(header + hl, ' ', (size_t)total - hl);
    return total;
}

/* forward --journal: the loop appends to `filling`; every `interval_ms` the thread takes it in
 * exchange for an empty buffer, writes it and syncs. */
static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER;
static char *batch_filling, *batch_empty;
static size_t batch_used;
#define BATCH_MAX (64 << 20)

typedef struct {
    int interval_ms, fd;
} batch_t;

static void *batch_writer(void *context) {
    batch_t *batch = context;
    for (;;) {
        usleep((useconds_t)batch->interval_ms * 1000);
        pthread_mutex_lock(&batch_lock);
        char *full = batch_filling;
        size_t length = batch_used;
        batch_filling = batch_empty;
        batch_empty = full;
        batch_used = 0;
        pthread_mutex_unlock(&batch_lock);
        if (length && (write(batch->fd, full, length) != (ssize_t)length || fdatasync(batch->fd))) die("journal");
    }
    return NULL;
}

/* Appends a record (length, stamped header, body) for the batch thread; drops it when the
 * buffer is full, which the thread's next turn makes room for. */
static void batch_append(const char *header, size_t hl, const void *body, size_t bl) {
    uint32_t length = (uint32_t)(hl + bl);
    pthread_mutex_lock(&batch_lock);
    if (batch_used + 4 + length <= BATCH_MAX) {
        memcpy(batch_filling + batch_used, &length, 4);
        memcpy(batch_filling + batch_used + 4, header, hl);
        memcpy(batch_filling + batch_used + 4 + hl, body, bl);
        batch_used += 4 + length;
    }
    pthread_mutex_unlock(&batch_lock);
}

static int do_forward(int argc, char **argv) {
    int hwm = atoi(arg(argc, argv, "--hwm", "10000"));
    const char *journal = arg(argc, argv, "--journal", NULL);
    int pad_to = atoi(arg(argc, argv, "--pad-to", "0"));
    if (pad_to < BODY_LEN + 64 || pad_to > 65536) {
        fprintf(stderr, "orisload: forward needs --pad-to, %d to 65536 bytes\n", BODY_LEN + 64);
        exit(64);
    }
    static batch_t batch;
    if (journal) {
        batch.interval_ms = atoi(arg(argc, argv, "--batch-ms", "10"));
        batch.fd = open(journal, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        batch_filling = malloc(BATCH_MAX);
        batch_empty = malloc(BATCH_MAX);
        pthread_t writer;
        if (batch.interval_ms < 1 || batch.fd < 0 || !batch_filling || !batch_empty ||
            pthread_create(&writer, NULL, batch_writer, &batch))
            die("journal");
    }
    uint64_t seq = 0;
    void *ctx = zmq_ctx_new();
    void *xsub = zmq_socket(ctx, ZMQ_XSUB), *xpub = zmq_socket(ctx, ZMQ_XPUB);
    zmq_setsockopt(xpub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    plain_server(ctx, xsub, "ingest");
    plain_server(ctx, xpub, "feed");
    if (zmq_send(xsub, "\x01", 1, 0) < 0) die("subscribe"); /* everything, as orisd's ingest */
    bind_and_announce(argc, argv, xsub, xpub);
    char topic[64];
    char *header = malloc((size_t)pad_to + 32); /* room for the sequence number */
    zmq_msg_t part[4];
    for (int i = 0; i < 4; i++) zmq_msg_init(&part[i]);
    zmq_pollitem_t items[2] = {{xsub, 0, ZMQ_POLLIN, 0}, {xpub, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(items, 2, -1) < 0) {
            if (zmq_errno() == EINTR) continue;
            die("poll");
        }
        if (items[1].revents & ZMQ_POLLIN) /* subscriptions: every item goes to the XPUB anyway */
            while (zmq_msg_recv(&part[0], xpub, ZMQ_DONTWAIT) >= 0) {
            }
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        while (zmq_msg_recv(&part[0], xsub, ZMQ_DONTWAIT) >= 0) { /* every item waiting */
            int n = receive_rest(xsub, part, 4);
            size_t hl = zmq_msg_size(&part[2]);
            const char *h = zmq_msg_data(&part[2]);
            if (n != 4 || hl < HEADER_MIN || hl > (size_t)pad_to) continue;
            int tl = topic_name(topic, theme_of(h));
            memcpy(header, h, hl);
            if (journal) { /* the closing brace gives way to the sequence number */
                hl += (size_t)snprintf(header + hl - 1, 32, ",\"seq\":%llu}", (unsigned long long)++seq) - 1;
                batch_append(header, hl, zmq_msg_data(&part[3]), zmq_msg_size(&part[3]));
            }
            int total = pad(header, hl, pad_to - tl - (int)zmq_msg_size(&part[3]));
            if (zmq_send(xpub, topic, (size_t)tl, ZMQ_SNDMORE) < 0 ||
                zmq_send(xpub, header, (size_t)total, ZMQ_SNDMORE) < 0 || zmq_msg_send(&part[3], xpub, 0) < 0)
                die("send");
        }
    }
}

/* ------------------------------------------------------------------ ackforward */
/* The sync thread's side: records written to the file, and those a finished sync covers. */
static pthread_mutex_t ack_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ack_wake = PTHREAD_COND_INITIALIZER;
static uint64_t ack_written, ack_durable;
static int ack_fd, ack_pipe[2];

static void *ack_syncer(void *unused) {
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&ack_lock);
        while (ack_written == ack_durable) pthread_cond_wait(&ack_wake, &ack_lock);
        uint64_t upto = ack_written;
        pthread_mutex_unlock(&ack_lock);
        if (fdatasync(ack_fd)) die("fdatasync");
        pthread_mutex_lock(&ack_lock);
        ack_durable = upto;
        pthread_mutex_unlock(&ack_lock);
        if (write(ack_pipe[1], "s", 1) < 0 && errno != EAGAIN) die("pipe");
    }
    return NULL;
}

/* A request waiting for its sync: who asked, the header and body to deliver, its number and
 * theme. */
typedef struct {
    zmq_msg_t routing_id, header, body;
    uint64_t seq;
    int theme;
} held_t;
#define HELD_MAX 65536
#define RECORDS_MAX (1 << 20)

/* Sends the ACK of a synced request and its delivery as `forward` makes it (topic, the header
 * received padded to make `pad_to` bytes in all, body); frees what it held. `header` has room
 * for the longest header taken (65,536 bytes) or `pad_to`. */
static void release(void *router, void *xpub, held_t *h, char *header, int pad_to) {
    char topic[64], ack[256];
    int tl = topic_name(topic, h->theme);
    unsigned long long seq = (unsigned long long)h->seq + 1;
    int al = snprintf(ack, sizeof ack,
                      "{\"id\":\"01BENCH%019llu\",\"seq\":%llu,\"tiers\":[\"gip\"],"
                      "\"deliveries\":[{\"topic\":\"%s\",\"seq\":%llu}]}", seq, seq, topic, seq);
    if (zmq_msg_send(&h->routing_id, router, ZMQ_SNDMORE) < 0 || zmq_send(router, "", 0, ZMQ_SNDMORE) < 0 ||
        zmq_send(router, "ORIS01", 6, ZMQ_SNDMORE) < 0 || zmq_send(router, "ACK", 3, ZMQ_SNDMORE) < 0 ||
        zmq_send(router, ack, (size_t)al, 0) < 0)
        die("send ACK");
    size_t hl = zmq_msg_size(&h->header);
    memcpy(header, zmq_msg_data(&h->header), hl);
    zmq_msg_close(&h->header);
    int total = pad(header, hl, pad_to - tl - (int)zmq_msg_size(&h->body));
    if (zmq_send(xpub, topic, (size_t)tl, ZMQ_SNDMORE) < 0 || zmq_send(xpub, header, (size_t)total, ZMQ_SNDMORE) < 0 ||
        zmq_msg_send(&h->body, xpub, 0) < 0)
        die("send delivery");
}

static int do_ackforward(int argc, char **argv) {
    int hwm = atoi(arg(argc, argv, "--hwm", "10000"));
    int pad_to = atoi(arg(argc, argv, "--pad-to", "0"));
    const char *file = arg(argc, argv, "--file", NULL);
    if (pad_to < BODY_LEN + 64 || pad_to > 65536 || !file) {
        fprintf(stderr, "orisload: ackforward needs --file and --pad-to, %d to 65536 bytes\n", BODY_LEN + 64);
        exit(64);
    }
    ack_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (ack_fd < 0 || pipe2(ack_pipe, O_NONBLOCK | O_CLOEXEC)) die("journal file");
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER), *xpub = zmq_socket(ctx, ZMQ_XPUB);
    zmq_setsockopt(xpub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    plain_server(ctx, router, "api");
    plain_server(ctx, xpub, "feed");
    bind_and_announce(argc, argv, router, xpub);
    pthread_t syncer;
    if (pthread_create(&syncer, NULL, ack_syncer, NULL)) die("sync thread");
    char *header = malloc(65536 + (size_t)pad_to);
    char *records = malloc(RECORDS_MAX);
    size_t used = 0;
    held_t *held = calloc(HELD_MAX, sizeof(held_t));
    uint64_t head = 0, tail = 0, durable = 0;
    zmq_msg_t part[6];
    for (int i = 0; i < 6; i++) zmq_msg_init(&part[i]);
    zmq_pollitem_t items[3] = {
        {router, 0, ZMQ_POLLIN, 0}, {xpub, 0, ZMQ_POLLIN, 0}, {NULL, ack_pipe[0], ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(items, 3, -1) < 0) {
            if (zmq_errno() == EINTR) continue;
            die("poll");
        }
        if (items[1].revents & ZMQ_POLLIN)
            while (zmq_msg_recv(&part[0], xpub, ZMQ_DONTWAIT) >= 0) {
            }
        if (items[2].revents & ZMQ_POLLIN) {
            char drained[64];
            while (read(ack_pipe[0], drained, sizeof drained) > 0) {
            }
            pthread_mutex_lock(&ack_lock);
            durable = ack_durable;
            pthread_mutex_unlock(&ack_lock);
            for (; tail < durable; tail++) release(router, xpub, &held[tail % HELD_MAX], header, pad_to);
        }
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        while (head - tail < HELD_MAX && used + 65536 * 2 <= RECORDS_MAX &&
               zmq_msg_recv(&part[0], router, ZMQ_DONTWAIT) >= 0) {
            int n = receive_rest(router, part, 6);
            size_t hl = zmq_msg_size(&part[4]), bl = zmq_msg_size(&part[5]);
            const char *h = zmq_msg_data(&part[4]);
            if (n != 6 || hl < HEADER_MIN || hl > 65536 || bl > 65536) continue; /* not ours: dropped */
            memcpy(records + used, h, hl);
            memcpy(records + used + hl, zmq_msg_data(&part[5]), bl);
            used += hl + bl;
            held_t *slot = &held[head % HELD_MAX];
            slot->seq = head++;
            slot->theme = theme_of(h); /* before the move: a short header lies in the message itself */
            zmq_msg_init(&slot->routing_id);
            zmq_msg_init(&slot->header);
            zmq_msg_init(&slot->body);
            zmq_msg_move(&slot->routing_id, &part[0]);
            zmq_msg_move(&slot->header, &part[4]);
            zmq_msg_move(&slot->body, &part[5]);
        }
        if (used == 0) continue;
        if (write(ack_fd, records, used) != (ssize_t)used) die("write");
        used = 0;
        pthread_mutex_lock(&ack_lock);
        ack_written = head;
        pthread_cond_signal(&ack_wake);
        pthread_mutex_unlock(&ack_lock);
    }
}

/* ------------------------------------------------------------------ pub */
static int do_pub(int argc, char **argv) {
    uint64_t n = strtoull(arg(argc, argv, "--n", "1000"), 0, 10);
    int topics = topic_count(argc, argv, 0);
    double rate = atof(arg(argc, argv, "--rate", "0"));
    const char *member = arg(argc, argv, "--as", NULL);
    int raw = flag(argc, argv, "--raw");
    void *ctx = zmq_ctx_new();
    void *s = make_socket(ctx, ZMQ_PUB, raw ? NULL : member);
    if (zmq_connect(s, arg(argc, argv, "--connect", ""))) die("connect");
    usleep(atoi(arg(argc, argv, "--settle-ms", "500")) * 1000);
    /* --pad-to B (with --raw): each header padded with JSON white space so that the message,
     * topic + header + body, has B bytes: P carrying messages as large as orisd delivers. */
    int pad_to = atoi(arg(argc, argv, "--pad-to", "0"));
    if (pad_to < 0 || pad_to > 65536 || (pad_to && !raw)) {
        fprintf(stderr, "orisload: --pad-to takes 0 to 65536 bytes, with --raw\n");
        exit(64);
    }
    static char names[MAX_TOPICS][64];
    static char *headers[MAX_TOPICS];
    static int name_len[MAX_TOPICS], header_len[MAX_TOPICS];
    for (int t = 0; t < topics; t++) {
        name_len[t] = topic_name(names[t], t);
        headers[t] = malloc(128 + (size_t)pad_to);
        header_len[t] = header_text(headers[t], t);
        int missing = pad_to - name_len[t] - header_len[t] - BODY_LEN;
        if (missing > 0) {
            memset(headers[t] + header_len[t], ' ', (size_t)missing);
            header_len[t] += missing;
        }
    }
    unsigned char body[BODY_LEN];
    memset(body, 'x', BODY_LEN);
    uint64_t start = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        pace(start, i, rate);
        int t = (int)(i % (uint64_t)topics);
        uint64_t sent = now_ns();
        memcpy(body, &i, 8);
        memcpy(body + 8, &sent, 8);
        if (raw) {
            if (zmq_send(s, names[t], name_len[t], ZMQ_SNDMORE) < 0) die("send");
        } else {
            if (zmq_send(s, "ORIS01", 6, ZMQ_SNDMORE) < 0 || zmq_send(s, "PUBLISH", 7, ZMQ_SNDMORE) < 0) die("send");
        }
        if (zmq_send(s, headers[t], header_len[t], ZMQ_SNDMORE) < 0) die("send");
        if (zmq_send(s, body, BODY_LEN, 0) < 0) die("send");
    }
    double secs = (now_ns() - start) / 1e9;
    fprintf(stderr, "PUB sent=%llu secs=%.3f rate=%.0f\n", (unsigned long long)n, secs, n / secs);
    /* What is still queued goes out before the process ends: a broker slower than the
     * publisher drains a million items for minutes, and a shorter linger dropped the rest. */
    int linger = 900000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}

/* ------------------------------------------------------------------ sub */
typedef struct {
    uint64_t expected, got, first_send, first_recv, last_recv, warmup, count, bytes;
    uint64_t *latency;
} tally_t;

static void tally_message(tally_t *s, const unsigned char *body, size_t len) {
    uint64_t t = now_ns(), sent;
    if (len < 16) return;
    memcpy(&sent, body + 8, 8);
    if (s->got == 0) s->first_recv = t;
    if (sent < s->first_send) s->first_send = sent;
    s->last_recv = t;
    s->got++;
    if (s->got > s->warmup && s->count < s->expected) s->latency[s->count++] = t - sent;
}

static void tally_report(tally_t *s, const char *label) {
    qsort(s->latency, s->count, sizeof(uint64_t), cmp_u64);
    double e2e = s->got ? (s->last_recv - s->first_send) / 1e9 : 0;
    printf("RESULT label=%s expected=%llu got=%llu loss=%llu e2e_rate=%.0f e2e_secs=%.3f "
           "lat_p50_us=%.1f lat_p99_us=%.1f lat_p999_us=%.1f msg_bytes=%.1f\n",
           label, (unsigned long long)s->expected, (unsigned long long)s->got,
           (unsigned long long)(s->expected > s->got ? s->expected - s->got : 0), e2e > 0 ? s->got / e2e : 0, e2e,
           percentile_us(s->latency, s->count, .5), percentile_us(s->latency, s->count, .99),
           percentile_us(s->latency, s->count, .999), s->got ? (double)s->bytes / s->got : 0);
    fflush(stdout);
}

static int do_sub(int argc, char **argv) {
    int conns = atoi(arg(argc, argv, "--conns", "1"));
    uint64_t n = strtoull(arg(argc, argv, "--n", "1000"), 0, 10);
    int topics = topic_count(argc, argv, 0);
    int mixed = flag(argc, argv, "--mixed");
    const char *member = arg(argc, argv, "--as", NULL);
    const char *ready = arg(argc, argv, "--ready", NULL);
    double idle_s = atof(arg(argc, argv, "--idle-s", "5"));
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, conns + 64);
    void **socks = calloc((size_t)conns, sizeof(void *));
    static uint64_t per_topic[MAX_TOPICS]; /* static: too large for the stack */
    char name[64];
    for (int c = 0; c < conns; c++) {
        socks[c] = make_socket(ctx, ZMQ_SUB, member);
        for (int j = 0; j < sub_topic_count(c, mixed); j++) {
            int t = sub_topic(c, j, topics);
            zmq_setsockopt(socks[c], ZMQ_SUBSCRIBE, name, (size_t)topic_name(name, t));
            per_topic[t]++;
        }
        if (zmq_connect(socks[c], arg(argc, argv, "--connect", ""))) die("connect");
    }
    /* messages are spread evenly over the topics: topic t gets n/T, the first n%T one more */
    uint64_t expected = 0;
    for (int t = 0; t < topics; t++) expected += (n / topics + ((uint64_t)t < n % topics)) * per_topic[t];
    usleep(300000 + 2000 * (useconds_t)conns); /* connections and subscriptions reach the broker */
    tally_t st = {.expected = expected, .warmup = 1000, .first_send = UINT64_MAX};
    st.latency = malloc(sizeof(uint64_t) * (expected + 1));
    if (ready) {
        FILE *f = fopen(ready, "w");
        if (f) fclose(f);
    }
    /* epoll over each socket's ZMQ_FD; after a wake-up, drain while ZMQ_EVENTS says POLLIN */
    int ep = epoll_create1(0);
    for (int c = 0; c < conns; c++) {
        int fd;
        size_t fl = sizeof fd;
        zmq_getsockopt(socks[c], ZMQ_FD, &fd, &fl);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    char *pending = malloc((size_t)conns);
    memset(pending, 1, (size_t)conns);
    int waiting = conns;
    double max_s = atof(arg(argc, argv, "--max-s", "120"));
    uint64_t began = now_ns();
    struct epoll_event events[512];
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (st.got < st.expected) {
        int ready_count = epoll_wait(ep, events, 512, waiting ? 0 : 200);
        for (int e = 0; e < ready_count; e++)
            if (!pending[events[e].data.u32]) pending[events[e].data.u32] = 1, waiting++;
        if (ready_count <= 0 && !waiting) {
            if (st.got && (now_ns() - st.last_recv) / 1e9 > idle_s) break;
            if (!st.got && (now_ns() - began) / 1e9 > max_s) break;
            continue;
        }
        for (int c = 0; c < conns && waiting; c++) {
            if (!pending[c]) continue;
            int got = 0;
            for (; got < 256; got++) {
                if (zmq_msg_recv(&m, socks[c], ZMQ_DONTWAIT) < 0) break;
                uint64_t bytes = zmq_msg_size(&m);
                while (zmq_msg_more(&m)) { /* the body is the last frame */
                    zmq_msg_recv(&m, socks[c], 0);
                    bytes += zmq_msg_size(&m);
                }
                st.bytes += bytes;
                tally_message(&st, zmq_msg_data(&m), zmq_msg_size(&m));
            }
            if (got < 256) {
                int zev = 0;
                size_t zl = sizeof zev;
                zmq_getsockopt(socks[c], ZMQ_EVENTS, &zev, &zl);
                if (!(zev & ZMQ_POLLIN)) pending[c] = 0, waiting--;
            }
        }
    }
    tally_report(&st, arg(argc, argv, "--label", "sub"));
    int linger = 0;
    for (int c = 0; c < conns; c++) {
        zmq_setsockopt(socks[c], ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(socks[c]);
    }
    zmq_ctx_term(ctx);
    return 0;
}

/* ------------------------------------------------------------------ apub */
static int do_apub(int argc, char **argv) {
    uint64_t n = strtoull(arg(argc, argv, "--n", "1000"), 0, 10);
    uint64_t window = strtoull(arg(argc, argv, "--window", "256"), 0, 10);
    int first = atoi(arg(argc, argv, "--first-topic", "0"));
    int topics = topic_count(argc, argv, first);
    double rate = atof(arg(argc, argv, "--rate", "0"));
    void *ctx = zmq_ctx_new();
    void *s = make_socket(ctx, ZMQ_DEALER, arg(argc, argv, "--as", "pub"));
    int patience = 30000; /* a reply that never comes ends the run instead of hanging it */
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &patience, sizeof patience);
    if (zmq_connect(s, arg(argc, argv, "--connect", ""))) die("connect");
    static char headers[MAX_TOPICS][128];
    static int header_len[MAX_TOPICS];
    for (int t = 0; t < topics; t++) header_len[t] = header_text(headers[t], first + t);
    uint64_t *sent_at = malloc(sizeof(uint64_t) * n), *latency = malloc(sizeof(uint64_t) * n);
    unsigned char body[BODY_LEN];
    memset(body, 'x', BODY_LEN);
    uint64_t sent = 0, acked = 0, naks = 0;
    zmq_msg_t m;
    zmq_msg_init(&m);
    uint64_t start = now_ns();
    int fd;
    size_t fd_size = sizeof fd;
    if (zmq_getsockopt(s, ZMQ_FD, &fd, &fd_size)) die("ZMQ_FD");
    while (acked < n) {
        while (sent < n && sent - acked < window) {
            int t = (int)(sent % (uint64_t)topics);
            if (rate > 0) {
                /* Paced: a reply that comes while the next request is not yet due is read at once,
                   so its latency is not that of the wait for the next send. */
                uint64_t due = start + (uint64_t)(sent * (1e9 / rate)), at = now_ns();
                if (at < due) {
                    if (acked < sent && readable_before(s, fd, due)) break;
                    if (acked == sent) pace(start, sent, rate);
                    continue;
                }
            }
            sent_at[sent] = now_ns();
            memcpy(body, &sent, 8);
            memcpy(body + 8, &sent_at[sent], 8);
            if (zmq_send(s, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(s, "ORIS01", 6, ZMQ_SNDMORE) < 0 ||
                zmq_send(s, "PUBLISH", 7, ZMQ_SNDMORE) < 0 || zmq_send(s, headers[t], header_len[t], ZMQ_SNDMORE) < 0 ||
                zmq_send(s, body, BODY_LEN, 0) < 0)
                die("send");
            sent++;
        }
        /* a reply: [""] [ORIS01] [ACK|NAK] [json]; replies come in request order */
        int frame = 0, is_ack = 0;
        do {
            if (zmq_msg_recv(&m, s, 0) < 0) die("receive");
            if (frame == 2) is_ack = zmq_msg_size(&m) == 3 && !memcmp(zmq_msg_data(&m), "ACK", 3);
            frame++;
        } while (zmq_msg_more(&m));
        if (!is_ack) naks++;
        latency[acked] = now_ns() - sent_at[acked];
        acked++;
    }
    double secs = (now_ns() - start) / 1e9;
    qsort(latency, n, sizeof(uint64_t), cmp_u64);
    printf("RESULT label=%s n=%llu naks=%llu rate=%.0f secs=%.3f lat_p50_us=%.1f lat_p99_us=%.1f lat_p999_us=%.1f\n",
           arg(argc, argv, "--label", "apub"), (unsigned long long)n, (unsigned long long)naks, n / secs, secs,
           percentile_us(latency, n, .5), percentile_us(latency, n, .99), percentile_us(latency, n, .999));
    zmq_close(s);
    zmq_ctx_term(ctx);
    return naks ? 1 : 0;
}

/* ------------------------------------------------------------------ disk */
/* group commit: the producer appends into `filling`; the committer swaps, writes, fdatasyncs */
static pthread_mutex_t group_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t group_wake = PTHREAD_COND_INITIALIZER;
static uint64_t group_appended, group_durable, group_syncs;
static uint64_t *group_stamp, *group_latency, group_latency_count, group_capacity;
static uint64_t group_window;
static int group_fd, group_stop;

static void *committer(void *unused) {
    (void)unused;
    char record[128];
    memset(record, 'j', sizeof record);
    char *buffer = malloc(128 * 65536);
    for (;;) {
        pthread_mutex_lock(&group_lock);
        while (group_appended == group_durable && !group_stop) pthread_cond_wait(&group_wake, &group_lock);
        uint64_t upto = group_appended, from = group_durable;
        int stop = group_stop && upto == from;
        pthread_mutex_unlock(&group_lock);
        if (stop) break;
        uint64_t count = upto - from < 65536 ? upto - from : 65536;
        for (uint64_t i = 0; i < count; i++) memcpy(buffer + i * 128, record, 128);
        if (write(group_fd, buffer, count * 128) < 0) perror("write");
        fdatasync(group_fd);
        uint64_t t = now_ns();
        pthread_mutex_lock(&group_lock);
        for (uint64_t i = from; i < from + count && group_latency_count < group_capacity; i++)
            group_latency[group_latency_count++] = t - group_stamp[i];
        group_durable = from + count;
        group_syncs++;
        pthread_cond_broadcast(&group_wake);
        pthread_mutex_unlock(&group_lock);
    }
    free(buffer);
    return NULL;
}

static int do_disk(int argc, char **argv) {
    const char *path = arg(argc, argv, "--file", "disk.bin");
    uint64_t n = strtoull(arg(argc, argv, "--n", "2000"), 0, 10);
    double secs = atof(arg(argc, argv, "--secs", "1.5"));
    group_window = strtoull(arg(argc, argv, "--window", "256"), 0, 10);
    char record[128];
    memset(record, 'j', sizeof record);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror("open"); return 1; }
    uint64_t *latency = malloc(sizeof(uint64_t) * n), start = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = now_ns();
        if (write(fd, record, sizeof record) < 0 || fdatasync(fd)) { perror("write"); return 1; }
        latency[i] = now_ns() - t;
    }
    double el = (now_ns() - start) / 1e9;
    qsort(latency, n, sizeof(uint64_t), cmp_u64);
    printf("RESULT label=disk-single rate=%.0f lat_p50_us=%.1f lat_p99_us=%.1f\n", n / el,
           percentile_us(latency, n, .5), percentile_us(latency, n, .99));
    close(fd);

    /* back-to-back group commit: a producer at full speed, at most `group_window` records waiting */
    group_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    group_capacity = 50000000;
    group_stamp = malloc(sizeof(uint64_t) * group_capacity);
    group_latency = malloc(sizeof(uint64_t) * group_capacity);
    pthread_t thread;
    pthread_create(&thread, NULL, committer, NULL);
    uint64_t end = now_ns() + (uint64_t)(secs * 1e9);
    for (;;) {
        uint64_t t = now_ns();
        if (t >= end) break;
        pthread_mutex_lock(&group_lock);
        while (group_appended - group_durable >= group_window) pthread_cond_wait(&group_wake, &group_lock);
        if (group_appended < group_capacity) group_stamp[group_appended++] = t;
        pthread_cond_broadcast(&group_wake);
        pthread_mutex_unlock(&group_lock);
    }
    pthread_mutex_lock(&group_lock);
    group_stop = 1;
    pthread_cond_broadcast(&group_wake);
    pthread_mutex_unlock(&group_lock);
    pthread_join(thread, NULL);
    qsort(group_latency, group_latency_count, sizeof(uint64_t), cmp_u64);
    printf("RESULT label=disk-group rate=%.0f syncs=%llu lat_p50_us=%.1f lat_p99_us=%.1f\n", group_latency_count / secs,
           (unsigned long long)group_syncs, percentile_us(group_latency, group_latency_count, .5),
           percentile_us(group_latency, group_latency_count, .99));
    close(group_fd);
    unlink(path);
    return 0;
}

/* ------------------------------------------------------------------ syncer */
static volatile sig_atomic_t syncer_stopped;

static void syncer_stop(int sig) {
    (void)sig;
    syncer_stopped = 1;
}

/* The file starts over past the size of one of orisd's journal segments (64 MiB). */
#define SYNCER_FILE_MAX (64ll * 1024 * 1024)
#define SYNCER_MAX_SYNCS 1000000

static int do_syncer(int argc, char **argv) {
    const char *dir = arg(argc, argv, "--dir", ".");
    long interval_ms = atol(arg(argc, argv, "--interval-ms", "5"));
    long bytes_per_ms = atol(arg(argc, argv, "--bytes-per-ms", "5000"));
    long record_len = atol(arg(argc, argv, "--record", "500"));
    double secs = atof(arg(argc, argv, "--secs", "600"));
    if (interval_ms < 1 || bytes_per_ms < 0 || record_len < 1 || record_len > 65536 || secs <= 0) {
        fprintf(stderr, "orisload: syncer needs --interval-ms >= 1, --bytes-per-ms >= 0, "
                        "--record 1 to 65536 and --secs > 0\n");
        return 64;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/syncer.bin", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    /* No SA_RESTART: SIGTERM interrupts the sleep, and the loop ends at once. */
    struct sigaction stop = {.sa_handler = syncer_stop};
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    char *record = malloc((size_t)record_len);
    memset(record, 'j', (size_t)record_len);
    uint64_t *sync_ns = malloc(sizeof(uint64_t) * SYNCER_MAX_SYNCS), syncs = 0;
    long long in_file = 0, owed = 0;
    printf("READY file=%s\n", path);
    fflush(stdout);
    uint64_t start = now_ns(), end = start + (uint64_t)(secs * 1e9), last_sync = 0;
    for (uint64_t tick = 1; !syncer_stopped && now_ns() < end; tick++) {
        uint64_t due = start + tick * 1000000ull;
        struct timespec ts = {(time_t)(due / 1000000000ull), (long)(due % 1000000000ull)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        /* A tick late behind a slow sync writes what it owes then, as a journal catches up. */
        for (owed += bytes_per_ms; owed >= record_len; owed -= record_len, in_file += record_len)
            if (write(fd, record, (size_t)record_len) < 0) {
                perror("write");
                return 1;
            }
        /* Counted in ticks, not read on the clock: a sync falls due every MS ticks, as orisd's
         * loop asks for one once MS ms have passed since it asked for the last. */
        if (tick - last_sync < (uint64_t)interval_ms) continue;
        last_sync = tick;
        uint64_t t = now_ns();
        if (fdatasync(fd)) {
            perror("fdatasync");
            return 1;
        }
        if (syncs < SYNCER_MAX_SYNCS) sync_ns[syncs++] = now_ns() - t;
        if (in_file >= SYNCER_FILE_MAX && !ftruncate(fd, 0)) in_file = 0;
    }
    qsort(sync_ns, syncs, sizeof(uint64_t), cmp_u64);
    double el = (now_ns() - start) / 1e9;
    printf("RESULT label=syncer secs=%.3f syncs=%llu sync_p50_us=%.1f sync_p99_us=%.1f\n", el,
           (unsigned long long)syncs, percentile_us(sync_ns, syncs, .5), percentile_us(sync_ns, syncs, .99));
    fflush(stdout);
    close(fd);
    unlink(path);
    free(record);
    free(sync_ns);
    return 0;
}

int main(int argc, char **argv) {
    /* A parent may have blocked or ignored SIGTERM (a test runner does); the broker and the
     * generators are stopped with it, so they take it as it comes by default. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (argc < 2) {
        fprintf(stderr, "usage: orisload proxy|pub|sub|apub|disk|syncer [options]\n");
        return 64;
    }
    if (!strcmp(argv[1], "proxy")) return do_proxy(argc, argv);
    if (!strcmp(argv[1], "forward")) return do_forward(argc, argv);
    if (!strcmp(argv[1], "ackforward")) return do_ackforward(argc, argv);
    if (!strcmp(argv[1], "pub")) return do_pub(argc, argv);
    if (!strcmp(argv[1], "sub")) return do_sub(argc, argv);
    if (!strcmp(argv[1], "apub")) return do_apub(argc, argv);
    if (!strcmp(argv[1], "disk")) return do_disk(argc, argv);
    if (!strcmp(argv[1], "syncer")) return do_syncer(argc, argv);
    fprintf(stderr, "orisload: unknown mode '%s'\n", argv[1]);
    return 64;
}
