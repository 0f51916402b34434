/*
 * The test realm's address space and its conventions with the project's VMM (Firmware/Host/VMM).
 * Included by the realm's linker script and entry code, the realm's Swift code and the host's.
 * Keep every value a plain integer literal so that Swift imports it as a constant.
 *
 * Realm IPA width 40 bits: the protected half is [0, 0x80_0000_0000), the unprotected half
 * (shared with the host) starts at 0x80_0000_0000.
 *
 *   0x40000000  realm RAM (RIPAS RAM), 512 KiB: the image (DATA_CREATE, measured) from its
 *               entry point at the first byte, then bss, stacks, buffers and scratch pages
 *               (DATA_CREATE_UNKNOWN). Everything else in the protected half is RIPAS EMPTY.
 *   0x8000000000  shared pages (RTT_MAP_UNPROTECTED of host pages): mailbox, then the token area
 *   0x8009000000  emulated PL011 (unmapped: every access is an MMIO exit the host emulates)
 *   0x800a000000  unmapped, not emulated: the host answers with INJECT_SEA
 */
#ifndef REALM_LAYOUT_H
#define REALM_LAYOUT_H

#define REALM_IPA_WIDTH               40
#define REALM_UNPROTECTED_BASE        0x8000000000
#define REALM_RAM_BASE                0x40000000
#define REALM_RAM_SIZE                0x00080000
#define REALM_REC_COUNT               2

/* Shared pages: page 0 is the mailbox, pages 1-2 hold the attestation token for the host. */
#define REALM_SHARED_IPA              0x8000000000
#define REALM_SHARED_PAGES            3
#define REALM_SHARED_TOKEN_IPA        0x8000001000
#define REALM_SHARED_TOKEN_SIZE       0x2000

/* Unprotected MMIO. */
#define REALM_UART_IPA                0x8009000000
#define REALM_UNEMULATED_IPA          0x800a000000

/* Mailbox (shared page 0) offsets. The host writes the first part before the realm runs. */
#define REALM_MBX_HOST_MAGIC          0x000
#define REALM_MBX_CHALLENGE_SEED      0x008
#define REALM_MBX_HOST_MESSAGE        0x040
#define REALM_MBX_REALM_MAGIC         0x100
#define REALM_MBX_REALM_REPLY         0x140
#define REALM_MBX_MESSAGE_BYTES       64
/* "HOSTMBX1" and "REALMOK1", little-endian. */
#define REALM_MBX_HOST_MAGIC_VALUE    0x3158424d54534f48
#define REALM_MBX_REALM_MAGIC_VALUE   0x314b4f4d4c414552

/* RSI_HOST_CALL immediates. */
#define REALM_HOST_CALL_ECHO          1   /* gprs[i] = pattern; host answers ~gprs[i] */
#define REALM_HOST_CALL_SHARED        2   /* reply in the mailbox; host answers gprs[0] = 1 if right */
#define REALM_HOST_CALL_TOKEN         3   /* gprs[0] = token bytes in the token area; host answers the count it read */
#define REALM_HOST_CALL_RESULT        4   /* gprs[0] = checks passed, gprs[1] = failed */
/* gprs[0] = byte count (at most 240), the bytes of one console line from gprs[1] on, little-endian:
   the realm's console where its MMIO cannot reach the host (Docs/el3-realms.md, QEMU 7.2). */
#define REALM_HOST_CALL_CONSOLE       5
#define REALM_HOST_CALL_ECHO_PATTERN  0x5245414c00000000

/* The SGI the realm sends itself with ICC_SGI1R_EL1; the host delivers it through a list
   register (Firmware/Host/VMM/VirtualSGI.swift). */
#define REALM_TEST_SGI                5
/* The priorities the host gives the realm's SGIs and its virtual timer (list register priority
   field): different, so that the realm can check that the higher one is taken first. */
#define REALM_SGI_PRIORITY            0x90
#define REALM_TIMER_PRIORITY          0xA0

/*
 * REC 0's x1 at entry: the address-space convention (Docs/el3-realms.md). 0: the layout above,
 * translated by the TMM's stage 2 (S-EL2 image). REALM_LAYOUT_IDENTITY: there is no stage 2
 * (EL3 image): realm RAM lies at its physical address, wherever the host placed it (the realm
 * finds it from its own PC); an unprotected IPA is that physical address with the top IPA bit
 * set, reached through a stage-1 mapping with NS = 1; x2 = physical address of the shared
 * pages, x3 = physical address of an unbacked device window: the emulated PL011 at +0, the
 * unemulated page at +REALM_UNEMULATED_OFFSET.
 */
#define REALM_LAYOUT_IDENTITY         1
#define REALM_UNEMULATED_OFFSET       0x10000

/* REC 0's x0 at entry: what this run of the realm checks. */
#define REALM_MODE_FULL               0
#define REALM_MODE_SECOND_REALM       1
#define REALM_MODE_BENCHMARK          2   /* round trips for the host's benchmark, no checks */

/* Benchmark mode (Firmware/Realm/RealmBenchmark.swift, Firmware/Host/VMM/RealmRoundTripBenchmark.swift):
   REALM_BENCH_ROUNDS of each step, in this order, then the realm spins without exiting. */
#define REALM_HOST_CALL_BENCH         5   /* a HOST_CALL round trip with nothing else */
#define REALM_HOST_CALL_BENCH_RSI     6   /* after REALM_BENCH_RSI_CALLS RSI_VERSION calls the TMM answers */
#define REALM_HOST_CALL_BENCH_MMIO    7   /* the MMIO writes to REALM_UNEMULATED_IPA come next */
#define REALM_HOST_CALL_BENCH_SPIN    8   /* the realm spins from now on: the host's interrupt exits */
#define REALM_HOST_CALL_BENCH_NO_MMIO 9   /* no MMIO writes: a stray access would end at the realm's own EL1 */
#define REALM_BENCH_ROUNDS            16
#define REALM_BENCH_RSI_CALLS         16

/* The realm personalization value the host sets: eight little-endian words PATTERN | i. */
#define REALM_RPV_PATTERN             0x7670722d6d6d7400

/* Words the first realm leaves in its secret page; a later realm must never see them. */
#define REALM_SECRET_PATTERN          0x5ec2e75ec2e70000

#endif
