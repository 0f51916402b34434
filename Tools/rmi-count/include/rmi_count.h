/* Callgrind client requests around one RMI command (Tools/rmi-count). The program runs under
 * `valgrind --tool=callgrind --collect-atstart=no`: instructions are counted only between
 * rmi_count_begin and rmi_count_end, and each end dumps the count under the command's label.
 * The fake hardware pauses counting while "the realm runs" (REC_ENTER's world switch is the
 * platform's, not the core's). Outside callgrind the requests are no-ops. */
#ifndef RMI_COUNT_H
#define RMI_COUNT_H

#include <stdint.h>
#include <valgrind/callgrind.h>

static inline void rmi_count_begin(void) { CALLGRIND_TOGGLE_COLLECT; }

static inline void rmi_count_end(const char *label) {
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(label);
}

static inline void rmi_count_pause(void) { CALLGRIND_TOGGLE_COLLECT; }
static inline void rmi_count_resume(void) { CALLGRIND_TOGGLE_COLLECT; }

/* A value the optimiser cannot see through: the firmware's RMI arguments come from registers,
 * so the benchmark must not let constant folding specialise the core for its fixed sequence. */
static inline uint64_t rmi_count_opaque(uint64_t v) {
    __asm__ volatile("" : "+r"(v));
    return v;
}

#endif
