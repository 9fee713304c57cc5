/*
 * Linux entry point of slotcp's XS host: `slotcp-xs BUNDLE.js` evaluates the file.
 * Output goes to stdout/stderr unbuffered by line, so a crash loses nothing printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "host.h"

void slotcp_host_write(int fd, const char *bytes, size_t length)
{
	fwrite(bytes, 1, length, (fd == 2) ? stderr : stdout);
	if (length && bytes[length - 1] == '\n')
		fflush((fd == 2) ? stderr : stdout);
}

static char *readFile(const char *path, size_t *length)
{
	FILE *file = fopen(path, "rb");
	char *buffer = NULL;
	long size;

	if (!file)
		return NULL;
	if ((fseek(file, 0, SEEK_END) == 0) && ((size = ftell(file)) >= 0) && (fseek(file, 0, SEEK_SET) == 0)
			&& (buffer = malloc(size + 1)) && (fread(buffer, 1, size, file) == (size_t)size)) {
		buffer[size] = 0;
		*length = size;
	}
	else {
		free(buffer);
		buffer = NULL;
	}
	fclose(file);
	return buffer;
}

/* XS may use the C stack down to this much below main's frame: the soft rlimit less a
 * margin for the C library and signal frames, at most 64 MiB. */
static size_t stackBudget(void)
{
	struct rlimit limit;
	size_t bytes = 8 * 1024 * 1024;

	if ((getrlimit(RLIMIT_STACK, &limit) == 0) && (limit.rlim_cur != RLIM_INFINITY) && (limit.rlim_cur < 64 * 1024 * 1024))
		bytes = limit.rlim_cur;
	else if (limit.rlim_cur == RLIM_INFINITY)
		bytes = 64 * 1024 * 1024;
	return bytes - 256 * 1024;
}

int main(int argc, char **argv)
{
	char stackBase;
	size_t length;
	char *source;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BUNDLE.js\n", argv[0]);
		return SLOTCP_HOST_USAGE;
	}
	source = readFile(argv[1], &length);
	if (!source) {
		perror(argv[1]);
		return SLOTCP_HOST_USAGE;
	}
	status = slotcp_host_run(source, length, &stackBase, stackBudget());
	fflush(stdout);
	free(source);
	return status;
}
