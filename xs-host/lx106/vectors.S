/*
 * Exception vectors of slotcp's lx106 image, at VECBASE in instruction RAM (code linked
 * elsewhere cannot hold them). Every exception is a fault here (no interrupts are
 * enabled): hand EXCCAUSE, EPC1 and EXCVADDR to slotcp_fault(), which prints them and
 * exits, on a stack of its own since a1 may be what faulted. Offsets are the ESP8266's.
 */
	.section .vectors.text, "ax"
	.global _vectors_base
	.align 4
_vectors_base:
	.org	0x10		/* debug */
	j	.Lfault
	.org	0x20		/* NMI */
	j	.Lfault
	.org	0x30		/* kernel */
	j	.Lfault
	.org	0x50		/* user: load/store errors, illegal instructions, division by zero */
	j	.Lfault
	.org	0x70		/* double */
	j	.Lfault
	.org	0x80
	.literal_position
	.align 4
.Lfault:
	rsr	a2, exccause
	rsr	a3, epc1
	rsr	a4, excvaddr
	movi	a1, __fault_stack_top
	movi	a0, slotcp_fault
	callx0	a0
.Lhang:
	j	.Lhang
