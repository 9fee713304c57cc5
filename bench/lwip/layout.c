/* sizeof(struct tcp_pcb) and sizeof(struct tcp_pcb_listen), compiled (-S, never linked
 * or run) for a 32-bit target: gcc -m32 lays the structs out for ILP32 with 4-byte
 * pointers and 4-byte-aligned u32_t, which is also the Xtensa ABI of the ESP8266/ESP32
 * (tcp_pcb holds no 64-bit field, so i386's 4-byte alignment of 64-bit types does not
 * enter). The Makefile reads the two constants back from the assembly. */
#include "lwip/tcp.h"

__attribute__((used)) const unsigned int layout_tcp_pcb = sizeof(struct tcp_pcb);
__attribute__((used)) const unsigned int layout_tcp_pcb_listen = sizeof(struct tcp_pcb_listen);
