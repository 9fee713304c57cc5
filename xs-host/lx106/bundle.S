/* The JavaScript bundle, linked in as read-only data; make passes its path as BUNDLE. */
	.section .rodata.slotcp_bundle, "a"
	.global slotcp_bundle_start, slotcp_bundle_end
slotcp_bundle_start:
	.incbin BUNDLE
slotcp_bundle_end:
	.byte 0
