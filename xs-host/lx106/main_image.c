/*
 * lx106 entry point of slotcp's XS host: the bundle is linked into the image
 * (bundle.S), so a run is `qemu-system-xtensa ... -kernel slotcp-xs.elf`.
 */
#include <stddef.h>

#include "host.h"

extern const char slotcp_bundle_start[], slotcp_bundle_end[];
extern char __stack_top[], __heap_end[];

int main(void)
{
	char stackBase;
	/* the stack runs from __stack_top down to __heap_end; keep a margin for C below XS */
	size_t stackBytes = (size_t)(&stackBase - __heap_end) - 16 * 1024;

	return slotcp_host_run(slotcp_bundle_start, slotcp_bundle_end - slotcp_bundle_start, &stackBase, stackBytes);
}
