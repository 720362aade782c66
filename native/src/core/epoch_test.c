/*
 * epoch: publish / enter / offline, reclamation only once every online
 * worker has moved on, the retire list's limit, and a threaded stress test
 * (run it under ASan: a worker reading freed tables is a use-after-free).
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "core/epoch.h"
#include "core/tables.h"
#include "test.h"

#define MAGIC_MTU 1234

static struct cix_epoch E;

static struct cix_tables *tables(void)
{
	struct cix_tables *t = cix_tables_new(4, 1);
	if (t) {
		cix_tables_set_port(t, 0, MAGIC_MTU);
		cix_tables_seal(t);
	}
	return t;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void epoch_init_state(void)
{
	cix_epoch_init(&E, 3);
	CHECK(atomic_load(&E.current) == 0);
	CHECK_EQ(atomic_load(&E.generation), 0);
	CHECK_EQ(E.n_workers, 3);
	CHECK_EQ(E.n_retired, 0);
	for (unsigned w = 0; w < CIX_MAX_WORKERS; w++)
		CHECK_EQ(atomic_load(&E.worker[w].seen), CIX_EPOCH_OFFLINE);
	/* Before any publish a worker gets no tables. */
	CHECK(cix_epoch_enter(&E, 0) == 0);
	CHECK_EQ(atomic_load(&E.worker[0].seen), 0);
	cix_epoch_offline(&E, 0);
	CHECK_EQ(cix_epoch_reclaim(&E), 0);
	cix_epoch_fini(&E);
	/* Each worker slot is its own cache line. */
	CHECK_EQ(sizeof(struct cix_epoch_worker), 64);
}

static void epoch_publish_enter(void)
{
	cix_epoch_init(&E, 1);
	struct cix_tables *t1 = tables(), *t2 = tables();
	REQUIRE(t1 && t2);
	CHECK_EQ(cix_epoch_publish(&E, t1), 1);
	CHECK_EQ(t1->generation, 1);
	CHECK_EQ(E.n_retired, 0);
	CHECK(cix_epoch_enter(&E, 0) == t1);
	CHECK_EQ(atomic_load(&E.worker[0].seen), 1);
	CHECK(cix_epoch_enter(&E, 0) == t1); /* again: same tables */

	CHECK_EQ(cix_epoch_publish(&E, t2), 2);
	CHECK_EQ(t2->generation, 2);
	/* The worker still runs its burst on t1: it stays. */
	CHECK_EQ(E.n_retired, 1);
	CHECK_EQ(cix_epoch_reclaim(&E), 1);
	CHECK_EQ(t1->ports[0].mtu, MAGIC_MTU); /* still readable (ASan would tell) */
	/* Between bursts it moves on; then t1 goes. */
	CHECK(cix_epoch_enter(&E, 0) == t2);
	CHECK_EQ(cix_epoch_reclaim(&E), 0);
	CHECK_EQ(E.n_retired, 0);
	cix_epoch_offline(&E, 0);
	cix_epoch_fini(&E);
	CHECK(atomic_load(&E.current) == 0);
}

static void epoch_waits_for_every_online_worker(void)
{
	cix_epoch_init(&E, 3); /* worker 2 never comes online */
	struct cix_tables *t[4];
	for (unsigned i = 1; i <= 3; i++)
		REQUIRE((t[i] = tables()) != 0);
	CHECK_EQ(cix_epoch_publish(&E, t[1]), 1);
	const struct cix_tables *w0 = cix_epoch_enter(&E, 0);
	const struct cix_tables *w1 = cix_epoch_enter(&E, 1);
	CHECK(w0 == t[1] && w1 == t[1]);

	CHECK_EQ(cix_epoch_publish(&E, t[2]), 2);
	w1 = cix_epoch_enter(&E, 1);
	CHECK(w1 == t[2]);
	CHECK_EQ(cix_epoch_reclaim(&E), 1); /* worker 0 still holds t1 */
	CHECK_EQ(w0->ports[0].mtu, MAGIC_MTU);

	CHECK_EQ(cix_epoch_publish(&E, t[3]), 3);
	CHECK_EQ(cix_epoch_reclaim(&E), 2); /* t1 (worker 0), t2 (worker 1) */
	CHECK_EQ(w0->generation, 1);
	CHECK_EQ(w1->generation, 2);

	w0 = cix_epoch_enter(&E, 0);
	CHECK(w0 == t[3]);
	CHECK_EQ(cix_epoch_reclaim(&E), 1); /* t1 gone; worker 1 is still on t2 */
	CHECK_EQ(E.retired[0], t[2]);
	CHECK_EQ(w1->ports[0].mtu, MAGIC_MTU);

	/* Going offline lets go too. */
	cix_epoch_offline(&E, 1);
	CHECK_EQ(cix_epoch_reclaim(&E), 0);

	/* Back online, it starts from the current tables. */
	w1 = cix_epoch_enter(&E, 1);
	CHECK(w1 == t[3]);
	cix_epoch_offline(&E, 0);
	cix_epoch_offline(&E, 1);
	cix_epoch_fini(&E);
}

static void epoch_all_offline_frees_at_once(void)
{
	cix_epoch_init(&E, 2);
	for (unsigned i = 1; i <= 10; i++) {
		struct cix_tables *t = tables();
		REQUIRE(t);
		CHECK_EQ(cix_epoch_publish(&E, t), i);
		CHECK_EQ(E.n_retired, 0);
	}
	/* A worker that was online and went offline holds nothing either. */
	cix_epoch_enter(&E, 1);
	cix_epoch_offline(&E, 1);
	struct cix_tables *t = tables();
	REQUIRE(t);
	CHECK_EQ(cix_epoch_publish(&E, t), 11);
	CHECK_EQ(E.n_retired, 0);
	cix_epoch_fini(&E);
}

static void epoch_retire_list_full(void)
{
	cix_epoch_init(&E, 1);
	struct cix_tables *t = tables();
	REQUIRE(t);
	CHECK_EQ(cix_epoch_publish(&E, t), 1);
	const struct cix_tables *held = cix_epoch_enter(&E, 0); /* stuck on generation 1 */
	for (unsigned i = 0; i < CIX_EPOCH_MAX_RETIRED; i++) {
		REQUIRE((t = tables()) != 0);
		CHECK_EQ(cix_epoch_publish(&E, t), 2 + i);
	}
	CHECK_EQ(E.n_retired, CIX_EPOCH_MAX_RETIRED);
	const struct cix_tables *current = atomic_load(&E.current);

	/* Refused: nothing changes, the caller keeps its tables. */
	struct cix_tables *refused = tables();
	REQUIRE(refused);
	CHECK_EQ(cix_epoch_publish(&E, refused), 0);
	CHECK_EQ(cix_epoch_publish(&E, refused), 0);
	CHECK(atomic_load(&E.current) == current);
	CHECK_EQ(atomic_load(&E.generation), 1 + CIX_EPOCH_MAX_RETIRED);
	CHECK_EQ(E.n_retired, CIX_EPOCH_MAX_RETIRED);
	CHECK_EQ(held->ports[0].mtu, MAGIC_MTU);
	CHECK_EQ(cix_epoch_reclaim(&E), CIX_EPOCH_MAX_RETIRED);

	/* The worker moves on: the next publish goes through and everything old is freed. */
	CHECK(cix_epoch_enter(&E, 0) == current);
	CHECK_EQ(cix_epoch_publish(&E, refused), 2 + CIX_EPOCH_MAX_RETIRED);
	CHECK_EQ(E.n_retired, 1); /* `current`, which the worker still holds */
	CHECK(cix_epoch_enter(&E, 0) == refused);
	CHECK_EQ(cix_epoch_reclaim(&E), 0);
	cix_epoch_offline(&E, 0);
	cix_epoch_fini(&E);
}

/* ---- threaded stress ---- */

#define STRESS_EPOCHS 2000u
#define STRESS_WORKERS 2u
#define STRESS_DEADLINE_S 20.0

struct stress_worker {
	pthread_t th;
	uint32_t id;
	_Atomic uint64_t enters; /* read by the publisher to pace itself */
	uint64_t reads;
	uint64_t bad_magic, bad_order, bad_seen;
	uint64_t last_gen;
};

static _Atomic int stress_stop;

static void *stress_worker(void *arg)
{
	struct stress_worker *w = arg;
	while (!atomic_load_explicit(&stress_stop, memory_order_relaxed)) {
		const struct cix_tables *t = cix_epoch_enter(&E, w->id);
		uint64_t enters = atomic_fetch_add_explicit(&w->enters, 1, memory_order_relaxed) + 1;
		if (!t)
			continue;
		uint64_t seen = atomic_load(&E.worker[w->id].seen);
		/* A "burst": read the tables a while. */
		for (unsigned i = 0; i < 16; i++) {
			volatile const uint16_t *mtu = &t->ports[0].mtu;
			w->bad_magic += *mtu != MAGIC_MTU;
			w->bad_magic += t->ports[1].present != 0;
			w->bad_magic += t->max_attachments != 4;
			w->reads++;
		}
		uint64_t g = t->generation;
		/* Published before announced: the tables are at least as new as what was seen. */
		w->bad_seen += g < seen;
		w->bad_order += g < w->last_gen;
		w->last_gen = g;
		if (w->id == 0 && (enters & 127) == 0) {
			/* A long burst: hold the tables while the publisher runs on (and
			 * fills its retire list), then read them again. */
			struct timespec nap = {0, 1000000};
			nanosleep(&nap, 0);
			w->bad_magic += t->ports[0].mtu != MAGIC_MTU;
			w->bad_magic += t->generation != g;
		}
	}
	cix_epoch_offline(&E, w->id);
	return 0;
}

static void epoch_threaded_stress(void)
{
	cix_epoch_init(&E, STRESS_WORKERS);
	atomic_store(&stress_stop, 0);
	static struct stress_worker w[STRESS_WORKERS];
	struct cix_tables *first = tables();
	REQUIRE(first);
	CHECK_EQ(cix_epoch_publish(&E, first), 1);
	for (uint32_t i = 0; i < STRESS_WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		atomic_store(&w[i].enters, 0);
		w[i].id = i;
		REQUIRE(pthread_create(&w[i].th, 0, stress_worker, &w[i]) == 0);
	}
	double deadline = now_s() + STRESS_DEADLINE_S;
	uint32_t published = 1, refusals = 0;
	int timed_out = 0;
	/* Both workers running before the first swap. */
	for (uint32_t i = 0; i < STRESS_WORKERS; i++)
		while (atomic_load(&w[i].enters) == 0 && !timed_out)
			timed_out = now_s() > deadline;
	while (published < STRESS_EPOCHS && !timed_out) {
		/* Pace: let some worker enter since the last swap (or 50 us pass), so
		 * that swaps, reclaims and bursts really interleave on any machine. */
		uint64_t before = atomic_load(&w[0].enters) + atomic_load(&w[1].enters);
		double until = now_s() + 50e-6;
		while (atomic_load(&w[0].enters) + atomic_load(&w[1].enters) == before && now_s() < until)
			;
		struct cix_tables *t = tables();
		if (!t)
			break;
		uint64_t g;
		while ((g = cix_epoch_publish(&E, t)) == 0) {
			refusals++;
			sched_yield();
			if (now_s() > deadline) {
				timed_out = 1;
				cix_tables_free(t);
				break;
			}
		}
		if (g) {
			published++;
			CHECK_EQ(g, published);
		}
		if ((published & 15) == 0)
			sched_yield(); /* let the workers see some of them */
	}
	atomic_store(&stress_stop, 1);
	for (uint32_t i = 0; i < STRESS_WORKERS; i++)
		pthread_join(w[i].th, 0);
	CHECK_EQ(timed_out, 0);
	CHECK_EQ(published, STRESS_EPOCHS);
	for (uint32_t i = 0; i < STRESS_WORKERS; i++) {
		CHECK_EQ(w[i].bad_magic, 0);
		CHECK_EQ(w[i].bad_order, 0);
		CHECK_EQ(w[i].bad_seen, 0);
		CHECK(atomic_load(&w[i].enters) > 0);
	}
	/* Every worker is offline: nothing is held back. */
	CHECK_EQ(cix_epoch_reclaim(&E), 0);
	cix_epoch_fini(&E);
	printf("epoch stress: %u epochs, %u refusals, worker enters %llu / %llu, last generations %llu / %llu\n",
	       published, refusals, (unsigned long long)atomic_load(&w[0].enters),
	       (unsigned long long)atomic_load(&w[1].enters),
	       (unsigned long long)w[0].last_gen, (unsigned long long)w[1].last_gen);
}

int main(void)
{
	RUN(epoch_init_state);
	RUN(epoch_publish_enter);
	RUN(epoch_waits_for_every_online_worker);
	RUN(epoch_all_offline_frees_at_once);
	RUN(epoch_retire_list_full);
	RUN(epoch_threaded_stress);
	return cix_test_finish("epoch");
}
