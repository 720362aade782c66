/*
 * The C unit-test harness: checks that report file:line and both values,
 * tests as plain static functions run from main, one closing line.
 *
 *   static void parse_untagged(void) { CHECK_EQ(p->ntags, 0); }
 *   int main(void) { RUN(parse_untagged); return cix_test_finish("parse"); }
 *
 * prints "cix-unit parse: 1 passed, 0 failed" and exits nonzero on any
 * failure. A test passes when none of its checks failed. CHECK goes on after
 * a failure (to show every wrong value); REQUIRE returns from the test (use
 * it where going on would touch memory that is not there).
 */
#ifndef CIX_TEST_H
#define CIX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cix_test_name_ = "?";
static unsigned cix_test_failed_checks_;
static unsigned cix_test_passed_, cix_test_failed_;

static inline void cix_test_fail_(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: %s: %s\n", file, line, cix_test_name_, what);
	cix_test_failed_checks_++;
}

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			cix_test_fail_(__FILE__, __LINE__, "CHECK(" #cond ") failed"); \
	} while (0)

#define REQUIRE(cond)                                                    \
	do {                                                             \
		if (!(cond)) {                                           \
			cix_test_fail_(__FILE__, __LINE__, "REQUIRE(" #cond ") failed"); \
			return;                                          \
		}                                                        \
	} while (0)

/* Integers (any width or sign) and pointers; both printed signed and in hex. */
#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(a);                           \
		unsigned long long b_ = (unsigned long long)(b);                           \
		if (a_ != b_) {                                                            \
			char m_[512];                                                      \
			snprintf(m_, sizeof(m_), "CHECK_EQ(%s, %s) failed: %lld (%#llx) != %lld (%#llx)", \
				 #a, #b, (long long)a_, a_, (long long)b_, b_);            \
			cix_test_fail_(__FILE__, __LINE__, m_);                            \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *a_ = (a), *b_ = (b);                                           \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                   \
			char m_[512];                                                      \
			snprintf(m_, sizeof(m_), "CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"", \
				 #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
			cix_test_fail_(__FILE__, __LINE__, m_);                            \
		}                                                                          \
	} while (0)

/* n bytes equal; on a difference, names the first differing offset and dumps both sides around it. */
#define CHECK_MEM(a, b, n) cix_test_check_mem_(__FILE__, __LINE__, #a, #b, (a), (b), (size_t)(n))

static inline void cix_test_check_mem_(const char *file, int line, const char *an, const char *bn,
				       const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i = 0;
	while (i < n && x[i] == y[i])
		i++;
	if (i == n)
		return;
	char m[1024];
	int k = snprintf(m, sizeof(m), "CHECK_MEM(%s, %s, %zu) failed at byte %zu:\n  got ", an, bn, n, i);
	size_t from = i > 8 ? i - 8 : 0, to = i + 16 < n ? i + 16 : n;
	for (size_t j = from; j < to && k < 900; j++)
		k += snprintf(m + k, sizeof(m) - (size_t)k, j == i ? "[%02x]" : " %02x", x[j]);
	k += snprintf(m + k, sizeof(m) - (size_t)k, "\n  want");
	for (size_t j = from; j < to && k < 1000; j++)
		k += snprintf(m + k, sizeof(m) - (size_t)k, j == i ? "[%02x]" : " %02x", y[j]);
	cix_test_fail_(file, line, m);
}

static inline void cix_test_run_(const char *name, void (*fn)(void))
{
	cix_test_name_ = name;
	cix_test_failed_checks_ = 0;
	fn();
	if (cix_test_failed_checks_) {
		cix_test_failed_++;
		fprintf(stderr, "FAIL %s (%u checks)\n", name, cix_test_failed_checks_);
	} else {
		cix_test_passed_++;
	}
}

#define RUN(fn) cix_test_run_(#fn, fn)

/* Prints the closing line; the exit status of main. */
static inline int cix_test_finish(const char *suite)
{
	printf("cix-unit %s: %u passed, %u failed\n", suite, cix_test_passed_, cix_test_failed_);
	fflush(stdout);
	return cix_test_failed_ ? 1 : 0;
}

#endif
