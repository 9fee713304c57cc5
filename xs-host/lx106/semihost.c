/*
 * The lx106 image's outside world: QEMU's Xtensa semihosting (the simcall instruction;
 * call number in a2, arguments in a3..a5, result in a2). write(fd, buffer, length) is 4,
 * exit(status) is 1 and QEMU exits with the guest's status. Also what picolibc wants
 * from the program: stdin/stdout/stderr, _exit, gettimeofday.
 */
#include <stdio.h>
#include <stdint.h>
#include <sys/time.h>

#include "host.h"

enum { SIMCALL_EXIT = 1, SIMCALL_WRITE = 4 };

static int simcall(int number, int a, int b, int c)
{
	register int a2 __asm__("a2") = number;
	register int a3 __asm__("a3") = a;
	register int a4 __asm__("a4") = b;
	register int a5 __asm__("a5") = c;
	__asm__ volatile ("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
	return a2;
}

void slotcp_host_write(int fd, const char *bytes, size_t length)
{
	while (length > 0) {
		int written = simcall(SIMCALL_WRITE, fd, (int)(intptr_t)bytes, (int)length);
		if (written <= 0)
			return;
		bytes += written;
		length -= written;
	}
}

void _exit(int status)
{
	for (;;)
		simcall(SIMCALL_EXIT, status, 0, 0);
}

static int putStdout(char c, FILE *file)
{
	(void)file;
	slotcp_host_write(1, &c, 1);
	return (unsigned char)c;
}

static int putStderr(char c, FILE *file)
{
	(void)file;
	slotcp_host_write(2, &c, 1);
	return (unsigned char)c;
}

static FILE stdoutFile = FDEV_SETUP_STREAM(putStdout, NULL, NULL, _FDEV_SETUP_WRITE);
static FILE stderrFile = FDEV_SETUP_STREAM(putStderr, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = NULL;
FILE *const stdout = &stdoutFile;
FILE *const stderr = &stderrFile;

/* No clock in the sim machine worth reading: Date.now() is 0, as slotcp never uses it. */
int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	tv->tv_sec = 0;
	tv->tv_usec = 0;
	return 0;
}

static void writeHex(const char *label, uint32_t value)
{
	char text[11] = "0x";
	for (int i = 0; i < 8; i++)
		text[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 15];
	slotcp_host_write(2, label, __builtin_strlen(label));
	slotcp_host_write(2, text, 10);
}

/* Called by the exception vectors (vectors.S). */
void slotcp_fault(uint32_t exccause, uint32_t epc1, uint32_t excvaddr)
{
	writeHex("guest fault: EXCCAUSE=", exccause);
	writeHex(" EPC1=", epc1);
	writeHex(" EXCVADDR=", excvaddr);
	slotcp_host_write(2, "\n", 1);
	_exit(SLOTCP_HOST_FAULT);
}
