/* lwIP side of `npm run bench`: the same workload as host-test/support/churn.ts (ChurnDriver) drives through
 * slotcp, fed to lwIP 2.1.3 (Debian's liblwip.so) through ip4_input() on a test netif.
 *
 * The harness plays both ends, like slotcp's client model: it builds each client
 * segment (the same bytes slotcp receives: IPv4 id 1, DF, TTL 64, window 65535, MSS 1460
 * on the SYN, the same ports, sequence numbers and payload pattern) straight into a
 * pbuf and hands it to ip4_input(); the netif's output function reads lwIP's
 * replies field by field (SEQ, ACK, flags, length) so the client can answer them. The
 * server app uses the raw TCP API (tcp_new/tcp_bind/tcp_listen/tcp_accept, tcp_recv with
 * tcp_recved, tcp_write/tcp_output, tcp_close) and does its work after ip4_input()
 * returns, as the slotcp app does after stack.receive() returns.
 *
 * Three figures: per run in "segment" and "connection" (bench/run.ts takes median, min
 * and max), and their medians in "figures" (engine ns per segment and per connection,
 * and connections per second, 1e9 / ns per connection):
 *   segment:    one 1460-byte in-order data segment received, copied out by the app,
 *               tcp_recved(); lwIP ACKs every second one (delayed ACK), as slotcp does.
 *   connection: SYN, SYN-ACK, ACK, 100 bytes in, 100 bytes echoed, server close (FIN),
 *               client FIN+ACK, server ACK: the server pcb in TIME-WAIT.
 *   The same loops with the client only building its packets (no pbuf, no lwIP call)
 *   give the client model's own cost, which run.ts subtracts.
 * Time: clock_gettime(CLOCK_MONOTONIC). Heap: glibc mallinfo2() (Debian's lwIP takes
 * every pbuf and pcb from malloc).
 *
 * Usage: lwip-bench RUNS SEGMENTS CONNECTIONS UNBOUNDED_CONNECTIONS  -> JSON on stdout */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h" /* tcp_tw_pcbs, tcp_active_pcbs: counting only */
#include "pool.h"

#define SERVER_ADDR 0xc0000202u /* 192.0.2.2 */
#define CLIENT_ADDR 0xc0000201u /* 192.0.2.1 */
#define SERVER_PORT 80
#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10
#define SEGMENT_BYTES 1460
#define ECHO_BYTES 100
/* One live connection plus 8 TIME-WAIT pcbs: slotcp's churn keeps 8 TIME-WAIT records. */
#define CAPPED_PCBS 9

static struct netif nif;

/* ---- the netif: lwIP's replies, read field by field --------------------------- */

static uint32_t sent_seq, sent_ack;
static int sent_flags, sent_length;
static unsigned long sent_count;

static uint32_t rd32(const uint8_t *b) { return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3]; }
static void wr16(uint8_t *b, uint32_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static void wr32(uint8_t *b, uint32_t v) { b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v; }

static err_t capture(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst)
{
  uint8_t copy[60];
  const uint8_t *b = (const uint8_t *)p->payload;
  (void)netif;
  (void)dst;
  if (p->len < 60 && p->len < p->tot_len) { /* headers split across pbufs */
    pbuf_copy_partial(p, copy, sizeof copy, 0);
    b = copy;
  }
  int ip = (b[0] & 15) * 4;
  const uint8_t *t = b + ip;
  sent_seq = rd32(t + 4);
  sent_ack = rd32(t + 8);
  sent_flags = t[13];
  sent_length = p->tot_len - ip - (t[12] >> 4) * 4;
  sent_count++;
  return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
  netif->name[0] = 'b';
  netif->name[1] = 'n';
  netif->output = capture;
  netif->mtu = 1500;
  return ERR_OK;
}

/* ---- the client model ------------------------------------------------------------ */

static uint8_t payload[SEGMENT_BYTES];
static uint8_t scratch[1600];
static int build_only;
static unsigned long failures;

static uint32_t sum16(const uint8_t *b, int length, uint32_t sum)
{
  int i = 0;
  for (; i + 1 < length; i += 2) sum += ((uint32_t)b[i] << 8) | b[i + 1];
  if (i < length) sum += (uint32_t)b[i] << 8;
  return sum;
}

static uint32_t fold(uint32_t sum)
{
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* One client segment with `length` bytes of the payload pattern, built in a pbuf (or
 * in a scratch buffer when only the client's cost is measured) and given to lwIP.
 * PBUF_RAM, not PBUF_POOL: Debian's liblwip.so (2.1.3+dfsg1-2) allocates 616-byte
 * blocks for PBUF_POOL pbufs while its pbuf_alloc() assumes 1536 bytes of room
 * (memp_PBUF_POOL.size is 0x268, pbuf.c uses PBUF_POOL_BUFSIZE_ALIGNED 0x600), so a
 * full-size frame in a PBUF_POOL pbuf overruns the heap block. PBUF_RAM is one malloc
 * of the exact size, which is what the pool allocation is here anyway (MEMP_MEM_MALLOC). */
static void send_segment(uint16_t port, uint32_t seq, uint32_t ack, int flags, int length)
{
  int tcp_header = 20 + ((flags & F_SYN) ? 4 : 0);
  int total = 20 + tcp_header + length;
  struct pbuf *p = NULL;
  uint8_t *b = scratch;
  if (!build_only) {
    p = pbuf_alloc(PBUF_RAW, (u16_t)total, PBUF_RAM);
    if (p == NULL || p->next != NULL) {
      fprintf(stderr, "lwip-bench: no single pbuf for %d bytes\n", total);
      exit(2);
    }
    b = (uint8_t *)p->payload;
  }
  b[0] = 0x45;
  b[1] = 0;
  wr16(b + 2, (uint32_t)total);
  wr16(b + 4, 1);
  wr16(b + 6, 0x4000);
  b[8] = 64;
  b[9] = 6;
  wr16(b + 10, 0);
  wr32(b + 12, CLIENT_ADDR);
  wr32(b + 16, SERVER_ADDR);
  wr16(b + 10, fold(sum16(b, 20, 0)));
  uint8_t *t = b + 20;
  wr16(t, port);
  wr16(t + 2, SERVER_PORT);
  wr32(t + 4, seq);
  wr32(t + 8, ack);
  t[12] = (uint8_t)((tcp_header / 4) << 4);
  t[13] = (uint8_t)flags;
  wr16(t + 14, 65535);
  wr16(t + 16, 0);
  wr16(t + 18, 0);
  if (flags & F_SYN) {
    t[20] = 2;
    t[21] = 4;
    wr16(t + 22, 1460);
  }
  uint8_t *data = t + tcp_header;
  for (int i = 0; i < length; i++) data[i] = payload[i];
  uint32_t tcp_length = (uint32_t)(tcp_header + length);
  uint32_t pseudo = (CLIENT_ADDR >> 16) + (CLIENT_ADDR & 0xffff) + (SERVER_ADDR >> 16) + (SERVER_ADDR & 0xffff) + 6 + tcp_length;
  wr16(t + 16, fold(sum16(t, (int)tcp_length, pseudo)));
  if (!build_only) ip4_input(p, &nif); /* lwIP frees p */
}

/* ---- the server app (raw API) ---------------------------------------------------- */

static struct tcp_pcb *accepted;
static struct pbuf *app_rx;
static uint8_t app_buffer[SEGMENT_BYTES];

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  (void)arg;
  (void)pcb;
  (void)err;
  if (p == NULL) return ERR_OK; /* the peer's FIN */
  if (app_rx == NULL) app_rx = p;
  else pbuf_cat(app_rx, p);
  return ERR_OK;
}

static void on_error(void *arg, err_t err)
{
  (void)arg;
  (void)err;
  accepted = NULL;
  failures++;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
  (void)arg;
  if (err != ERR_OK || pcb == NULL) return ERR_VAL;
  accepted = pcb;
  tcp_recv(pcb, on_recv);
  tcp_err(pcb, on_error);
  return ERR_OK;
}

/* Copies up to `length` received bytes out (as slotcp's stack.read), frees what was
 * read and opens the window by as much. */
static int app_read(struct tcp_pcb *pcb, int length)
{
  if (app_rx == NULL) return 0;
  int got = pbuf_copy_partial(app_rx, app_buffer, (u16_t)length, 0);
  if (got == app_rx->tot_len) {
    pbuf_free(app_rx);
    app_rx = NULL;
  } else {
    app_rx = pbuf_free_header(app_rx, (u16_t)got);
  }
  tcp_recved(pcb, (u16_t)got);
  return got;
}

/* ---- workloads -------------------------------------------------------------------- */

static uint32_t server_isn; /* reused for the ACK fields when only building */

/* One whole connection, as ChurnDriver.connection() (host-test/support/churn.ts). Returns 1 when lwIP answered
 * as expected. */
static int connection(uint16_t port, uint32_t isn)
{
  const int n = ECHO_BYTES;
  send_segment(port, isn, 0, F_SYN, 0);
  if (!build_only) {
    if (sent_flags != (F_SYN | F_ACK)) return 0;
    server_isn = sent_seq;
  }
  send_segment(port, isn + 1, server_isn + 1, F_ACK, 0);
  send_segment(port, isn + 1, server_isn + 1, F_ACK | F_PSH, n);
  if (!build_only) {
    struct tcp_pcb *pcb = accepted;
    accepted = NULL;
    if (pcb == NULL || app_read(pcb, n) != n) return 0;
    if (tcp_write(pcb, app_buffer, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) return 0;
    tcp_output(pcb);
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK) return 0;
    if ((sent_flags & F_FIN) == 0) return 0;
  }
  send_segment(port, isn + 1 + n, server_isn + 2 + n, F_FIN | F_ACK, 0);
  return build_only || (sent_flags == F_ACK && sent_ack == isn + n + 2);
}

static int churn(int count, int first_port)
{
  int ok = 0;
  for (int i = 0; i < count; i++) {
    uint16_t port = (uint16_t)(1024 + ((first_port + i) % 64000));
    if (connection(port, (uint32_t)i * (7919u * 65536u))) ok++;
  }
  return ok;
}

static struct tcp_pcb *stream_pcb;
static uint32_t stream_seq, stream_ack;
#define STREAM_PORT 5000

static void open_stream(void)
{
  send_segment(STREAM_PORT, 1000, 0, F_SYN, 0);
  stream_ack = sent_seq + 1;
  stream_seq = 1001;
  send_segment(STREAM_PORT, 1001, stream_ack, F_ACK, 0);
  stream_pcb = accepted;
  accepted = NULL;
  if (stream_pcb == NULL) {
    fprintf(stderr, "lwip-bench: streaming connection not accepted\n");
    exit(2);
  }
}

static int stream(int count)
{
  int ok = 0;
  uint32_t seq = stream_seq;
  for (int i = 0; i < count; i++) {
    send_segment(STREAM_PORT, seq, stream_ack, F_ACK, SEGMENT_BYTES);
    seq += SEGMENT_BYTES;
    if (build_only || app_read(stream_pcb, SEGMENT_BYTES) == SEGMENT_BYTES) ok++;
  }
  if (!build_only) stream_seq = seq; /* a build-only pass sends nothing */
  return ok;
}

/* ---- measurement ------------------------------------------------------------------ */

static double now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t heap_in_use(void)
{
  struct mallinfo2 m = mallinfo2();
  return m.uordblks;
}

static int list_length(struct tcp_pcb *pcb)
{
  int n = 0;
  for (; pcb != NULL; pcb = pcb->next) n++;
  return n;
}

static void print_array(const char *name, const double *values, int count, int last)
{
  printf("    \"%s\": [", name);
  for (int i = 0; i < count; i++) printf("%s%.3f", i ? ", " : "", values[i]);
  printf("]%s\n", last ? "" : ",");
}

#define MAX_RUNS 50

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median over runs of full[i] - client[i]: the engine's cost per operation. */
static double median_engine(const double *full, const double *client, int runs)
{
  double d[MAX_RUNS];
  for (int i = 0; i < runs; i++) d[i] = full[i] - client[i];
  qsort(d, (size_t)runs, sizeof d[0], compare_doubles);
  return runs % 2 ? d[runs / 2] : (d[runs / 2 - 1] + d[runs / 2]) / 2;
}

int main(int argc, char **argv)
{
  int runs = argc > 1 ? atoi(argv[1]) : 7;
  int segments = argc > 2 ? atoi(argv[2]) : 100000;
  int connections = argc > 3 ? atoi(argv[3]) : 50000;
  int unbounded = argc > 4 ? atoi(argv[4]) : 20000;
  if (runs < 1 || runs > MAX_RUNS || segments < 1 || connections < 1 || unbounded < 0) {
    fprintf(stderr, "usage: lwip-bench RUNS(1..%d) SEGMENTS CONNECTIONS UNBOUNDED\n", MAX_RUNS);
    return 2;
  }
  for (int i = 0; i < SEGMENT_BYTES; i++) payload[i] = (uint8_t)(i & 0xff);

  pool_init();
  lwip_init(); /* no tcpip thread: NO_SYS=0 build driven from one thread, see README */
  ip4_addr_t addr, mask, gw;
  IP4_ADDR(&addr, 192, 0, 2, 2);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gw, 0, 0, 0, 0);
  if (netif_add(&nif, &addr, &mask, &gw, NULL, netif_setup, ip4_input) == NULL) {
    fprintf(stderr, "lwip-bench: netif_add failed\n");
    return 2;
  }
  netif_set_default(&nif);
  netif_set_up(&nif);
  netif_set_link_up(&nif);

  struct tcp_pcb *listener = tcp_new();
  if (listener == NULL || tcp_bind(listener, IP4_ADDR_ANY, SERVER_PORT) != ERR_OK) {
    fprintf(stderr, "lwip-bench: tcp_bind failed\n");
    return 2;
  }
  listener = tcp_listen(listener);
  if (listener == NULL) {
    fprintf(stderr, "lwip-bench: tcp_listen failed\n");
    return 2;
  }
  tcp_accept(listener, on_accept);

  double seg_full[MAX_RUNS], seg_client[MAX_RUNS], conn_full[MAX_RUNS], conn_client[MAX_RUNS];
  unsigned long bad = 0;

  /* Data segments on one connection (warm-up first). */
  open_stream();
  stream(segments / 5);
  unsigned long seg_sent_before = sent_count;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ns();
    bad += (unsigned long)(segments - stream(segments));
    double t1 = now_ns();
    build_only = 1;
    stream(segments);
    double t2 = now_ns();
    build_only = 0;
    seg_full[r] = (t1 - t0) / segments;
    seg_client[r] = (t2 - t1) / segments;
  }
  double seg_acks = (double)(sent_count - seg_sent_before) / ((double)segments * runs);
  size_t heap0 = heap_in_use();
  bad += (unsigned long)(segments - stream(segments));
  double seg_heap = ((double)heap_in_use() - (double)heap0) / segments;

  /* The streaming connection goes (its pcb would count against the pool). */
  tcp_err(stream_pcb, NULL); /* the abort is ours, not a failure */
  tcp_abort(stream_pcb);
  stream_pcb = NULL;

  /* Whole connections, with a pool of CAPPED_PCBS tcp_pcbs (warm-up first). */
  pool_tcp_pcb_limit = CAPPED_PCBS;
  int port = 2000;
  churn(connections / 5, port);
  port += connections / 5;
  unsigned long conn_sent_before = sent_count;
  unsigned long refusals_before = pool_tcp_pcb_refusals;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ns();
    bad += (unsigned long)(connections - churn(connections, port));
    double t1 = now_ns();
    build_only = 1;
    churn(connections, port);
    double t2 = now_ns();
    build_only = 0;
    port += connections;
    conn_full[r] = (t1 - t0) / connections;
    conn_client[r] = (t2 - t1) / connections;
  }
  double conn_segments = (double)(sent_count - conn_sent_before) / ((double)connections * runs);
  double kills = (double)(pool_tcp_pcb_refusals - refusals_before) / ((double)connections * runs);
  heap0 = heap_in_use();
  bad += (unsigned long)(connections - churn(connections, port));
  port += connections;
  double conn_heap = ((double)heap_in_use() - (double)heap0) / connections;
  int tw_capped = list_length(tcp_tw_pcbs);

  /* Debian's build as shipped: no pool limit, TIME-WAIT pcbs pile up (no timer runs). */
  double unb_full = 0, unb_client = 0, unb_heap = 0;
  int tw_unbounded = tw_capped;
  if (unbounded > 0) {
    pool_tcp_pcb_limit = 0;
    heap0 = heap_in_use();
    double t0 = now_ns();
    bad += (unsigned long)(unbounded - churn(unbounded, port));
    double t1 = now_ns();
    unb_heap = ((double)heap_in_use() - (double)heap0) / unbounded;
    build_only = 1;
    churn(unbounded, port);
    double t2 = now_ns();
    build_only = 0;
    unb_full = (t1 - t0) / unbounded;
    unb_client = (t2 - t1) / unbounded;
    tw_unbounded = list_length(tcp_tw_pcbs);
  }

  printf("{\n");
  printf("  \"version\": \"%s\",\n", LWIP_VERSION_STRING);
  printf("  \"runs\": %d, \"segments\": %d, \"connections\": %d, \"unboundedConnections\": %d,\n", runs, segments, connections, unbounded);
  printf("  \"failures\": %lu,\n", bad + failures);
  printf("  \"config\": { \"NO_SYS\": %d, \"MEMP_MEM_MALLOC\": %d, \"LWIP_IPV6\": %d, \"TCP_MSS\": %d, \"TCP_WND\": %d,"
         " \"LWIP_WND_SCALE\": %d, \"TCP_MSL_ms\": %lu, \"SYS_LIGHTWEIGHT_PROT\": %d, \"TCP_QUEUE_OOSEQ\": %d,"
         " \"cappedPcbs\": %d },\n",
         NO_SYS, MEMP_MEM_MALLOC, LWIP_IPV6, TCP_MSS, TCP_WND, LWIP_WND_SCALE, (unsigned long)TCP_MSL,
         SYS_LIGHTWEIGHT_PROT, TCP_QUEUE_OOSEQ, CAPPED_PCBS);
  printf("  \"sizeof\": { \"tcp_pcb\": %zu, \"tcp_pcb_listen\": %zu, \"tcp_pcb_malloc_block\": %zu, \"pointer\": %zu },\n",
         sizeof(struct tcp_pcb), sizeof(struct tcp_pcb_listen), pool_tcp_pcb_block, sizeof(void *));
  double seg_ns = median_engine(seg_full, seg_client, runs);
  double conn_ns = median_engine(conn_full, conn_client, runs);
  printf("  \"figures\": { \"segmentNs\": %.3f, \"connectionNs\": %.3f, \"connectionsPerSecond\": %.0f },\n",
         seg_ns, conn_ns, 1e9 / conn_ns);
  printf("  \"segment\": {\n");
  print_array("fullNs", seg_full, runs, 0);
  print_array("clientNs", seg_client, runs, 0);
  printf("    \"serverSegmentsPerOp\": %.4f, \"heapBytesPerOp\": %.4f\n  },\n", seg_acks, seg_heap);
  printf("  \"connection\": {\n");
  print_array("fullNs", conn_full, runs, 0);
  print_array("clientNs", conn_client, runs, 0);
  printf("    \"serverSegmentsPerOp\": %.4f, \"heapBytesPerOp\": %.4f, \"timeWaitKillsPerOp\": %.4f, \"timeWaitPcbs\": %d\n  },\n",
         conn_segments, conn_heap, kills, tw_capped);
  printf("  \"unbounded\": { \"fullNs\": %.3f, \"clientNs\": %.3f, \"heapBytesPerOp\": %.4f, \"timeWaitPcbs\": %d }\n",
         unb_full, unb_client, unb_heap, tw_unbounded);
  printf("}\n");
  return 0;
}
