/*
 * Reset code of slotcp's lx106 image (QEMU's sim machine starts at the ELF entry,
 * 0x50000000). picolibc's crt0 does not set the stack pointer, so this does: a1, the
 * exception vectors (VECBASE), PS (user vector mode, interrupts at level 0, EXCM clear so
 * a fault reaches the user vector), .bss zeroed, then main's status to semihosting exit.
 */
	.section .entry.text, "ax"
	.global _start
	.align 4
_start:
	j	.Lreset
	.literal_position
	.align 4
.Lreset:
	movi	a1, __stack_top
	movi	a2, _vectors_base
	wsr	a2, vecbase
	movi	a2, 0x20
	wsr	a2, ps
	rsync
	movi	a2, __bss_start
	movi	a3, __bss_end
	movi	a4, 0
.Lzero:
	bgeu	a2, a3, .Lmain
	s32i	a4, a2, 0
	addi	a2, a2, 4
	j	.Lzero
.Lmain:
	movi	a0, main
	callx0	a0
	movi	a0, _exit
	callx0	a0
.Lhang:
	j	.Lhang
