# lx106 (the ESP8266's core) under QEMU's sim machine; included by the Makefile.
#   make TARGET=lx106 BUILD=dir                              XS, the host and the helpers
#   make TARGET=lx106 BUILD=dir BUNDLE=b.js IMAGE=x.elf image   link an image running b.js

CROSS = xtensa-lx106-elf-
CC = $(CROSS)gcc
AR = $(CROSS)ar
SPECS = --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
# Soft float and the call0 ABI are the defaults; -mlongcalls because code spans 64 MiB of ROM.
ARCH_FLAGS = $(SPECS) -Os -mlongcalls -mtext-section-literals -ffunction-sections -fdata-sections -fno-common
CFLAGS = $(ARCH_FLAGS) -g -fno-strict-aliasing -w $(XS_DEFINES) $(INCLUDES)
GCC_TARBALL = /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
LIBGCC_XTENSA = gcc-12.2.0/libgcc/config/xtensa
# The helpers GCC's t-xtensa assembles from lib1funcs.S.
LIB1FUNCS = _mulsi3 _divsi3 _modsi3 _udivsi3 _umodsi3 _umulsidi3 _clz _clzsi2 _ctzsi2 _ffssi2 \
	_ashldi3 _ashrdi3 _lshrdi3 _bswapsi2 _bswapdi2 \
	_negsf2 _addsubsf3 _mulsf3 _divsf3 _cmpsf2 _fixsfsi _fixsfdi _fixunssfsi _fixunssfdi \
	_floatsisf _floatunsisf _sqrtf _recipsf2 _rsqrtsf2 _floatdisf _floatundisf \
	_negdf2 _addsubdf3 _muldf3 _divdf3 _cmpdf2 _fixdfsi _fixdfdi _fixunsdfsi _fixunsdfdi \
	_floatsidf _floatunsidf _floatdidf _floatundidf _truncdfsf2 _extendsfdf2 _sqrt _recipdf2 _rsqrtdf2

XS_OBJECTS = $(patsubst $(XS)/sources/%.c,$(BUILD)/xs/%.o,$(XS_SOURCES))
HOST_OBJECTS = $(BUILD)/host.o $(BUILD)/semihost.o $(BUILD)/main_image.o $(BUILD)/start.o $(BUILD)/vectors.o \
	$(patsubst %.c,$(BUILD)/bytes/%.o,$(BYTES_SOURCES))
HELPER_OBJECTS = $(patsubst %,$(BUILD)/helpers/%.o,$(LIB1FUNCS)) $(BUILD)/helpers/helpers64.o

all: $(BUILD)/libxs.a $(BUILD)/libhelpers.a $(HOST_OBJECTS)

$(BUILD)/libxs.a: $(XS_OBJECTS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/libhelpers.a: $(HELPER_OBJECTS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/xs/%.o: $(XS)/sources/%.c slotcp_platform.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c host.h slotcp_platform.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wall -c -o $@ $<

$(BUILD)/bytes/%.o: $(MODDABLE_MODULE)/%.c $(MODDABLE_MODULE)/slotcp_bytes.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: lx106/%.c host.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wall -c -o $@ $<

$(BUILD)/%.o: lx106/%.S
	@mkdir -p $(dir $@)
	$(CC) $(ARCH_FLAGS) -c -o $@ $<

# GCC's source comes as one tarball: take the three assembler files once.
$(BUILD)/libgcc-src/lib1funcs.S: $(GCC_TARBALL)
	@mkdir -p $(dir $@)
	tar -xJf $(GCC_TARBALL) -C $(dir $@) --strip-components=4 \
		$(LIBGCC_XTENSA)/lib1funcs.S $(LIBGCC_XTENSA)/ieee754-df.S $(LIBGCC_XTENSA)/ieee754-sf.S
	touch $@

$(BUILD)/helpers/%.o: $(BUILD)/libgcc-src/lib1funcs.S lx106/xtensa-config.h
	@mkdir -p $(dir $@)
	$(CC) $(ARCH_FLAGS) -Ilx106 -DL$* -c -o $@ $<

$(BUILD)/helpers/helpers64.o: lx106/helpers64.c
	@mkdir -p $(dir $@)
	$(CC) $(ARCH_FLAGS) -Wall -c -o $@ $<

# The image: a fresh bundle object each time (the bundle changes from run to run).
image: all
	$(CC) $(ARCH_FLAGS) '-DBUNDLE="$(abspath $(BUNDLE))"' -c -o $(IMAGE).bundle.o lx106/bundle.S
	$(CC) $(ARCH_FLAGS) -nostartfiles -T lx106/link.ld -Wl,--gc-sections -o $(IMAGE) \
		$(HOST_OBJECTS) $(IMAGE).bundle.o $(BUILD)/libxs.a \
		-Wl,--start-group -lm -lc $(BUILD)/libhelpers.a -lgcc -Wl,--end-group
	rm -f $(IMAGE).bundle.o

.PHONY: image
