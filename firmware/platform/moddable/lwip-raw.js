/*
 * Host functions of slotcp's device packet path (slotcp_xs.c over slotcp_lwip.c), in
 * Moddable's `@` syntax, which only xsc reads; lwip-raw.d.ts types them for TypeScript.
 * Use them through LwipPacketPort (packet-port.ts).
 */
class LwipRaw {
	// callback() runs in the JS thread when the ring holds packets; localAddr: the board's
	// IPv4 address as an unsigned number (a.b.c.d = a << 24 | ... | d), 0 for any of its own.
	static start(callback, localAddr) @ "xs_slotcp_lwip_start";
	static stop() @ "xs_slotcp_lwip_stop";
	static addPort(port) @ "xs_slotcp_lwip_add_port";
	static removePort(port) @ "xs_slotcp_lwip_remove_port";
	static read(buffer) @ "xs_slotcp_lwip_read";
	static send(packet, length) @ "xs_slotcp_lwip_send";
	static counters(into) @ "xs_slotcp_lwip_counters";
	static config(into) @ "xs_slotcp_lwip_config";
}

export default LwipRaw;
