package dev.fulcrum.lbcore.pool;

import static dev.fulcrum.lbcore.pool.TestServers.capped;
import static dev.fulcrum.lbcore.pool.TestServers.picks;
import static dev.fulcrum.lbcore.pool.TestServers.servers;
import static dev.fulcrum.lbcore.pool.TestServers.share;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fulcrum.config.HashOn;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class ConsistentHashBalancerTest {

    private static final int KEYS = 100_000;
    private static final HashOn USER = new HashOn.Header("x-user");

    /** Key i as a request from its own client address (10.x.y.z). */
    private static BalancingContext client(int i) {
        return TestContext.client("10." + (i >>> 16 & 0xff) + "." + (i >>> 8 & 0xff) + "." + (i & 0xff), 40000);
    }

    /** Key i as a user header, all from one client. */
    private static BalancingContext user(int i) {
        return TestContext.header("192.0.2.1", "X-User", "user-" + i);
    }

    private static Server[] assignment(Balancer balancer, IntFunction<BalancingContext> key) {
        Server[] owners = new Server[KEYS];
        for (int i = 0; i < KEYS; i++) {
            owners[i] = balancer.pick(key.apply(i));
        }
        return owners;
    }

    @Test
    void sameKeySameServerWhileTheSetIsStable() {
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers(100, 100, 100, 100, 100), USER);
        for (int i = 0; i < 1000; i++) {
            Server first = balancer.pick(user(i));
            for (int again = 0; again < 5; again++) {
                assertThat(balancer.pick(user(i))).isSameAs(first);
            }
        }
        // A fresh balancer over the same servers (a reload, or the other node of an HA pair) agrees.
        ConsistentHashBalancer twin = new ConsistentHashBalancer(servers(100, 100, 100, 100, 100), USER);
        for (int i = 0; i < 1000; i++) {
            assertThat(twin.pick(user(i)).name()).isEqualTo(balancer.pick(user(i)).name());
        }
    }

    @Test
    void equalWeightsShareKeysEvenly() {
        Map<String, Integer> counts = picks(new ConsistentHashBalancer(servers(100, 100, 100, 100), USER), KEYS,
                ConsistentHashBalancerTest::user);
        counts.values().forEach(c -> assertThat(c / (double) KEYS).isCloseTo(0.25, within(0.015)));
    }

    @Test
    void weightsThreeToOneGiveThreeQuartersOfTheKeys() {
        Map<String, Integer> counts = picks(new ConsistentHashBalancer(servers(300, 100), HashOn.SOURCE), KEYS,
                ConsistentHashBalancerTest::client);
        assertThat(share(counts, "s0", KEYS)).isCloseTo(0.75, within(0.015));
        assertThat(share(counts, "s1", KEYS)).isCloseTo(0.25, within(0.015));
    }

    @Test
    void removingOneOfTenMovesOnlyItsKeysAndAddingItBackRestores() {
        List<Server> servers = servers(100, 100, 100, 100, 100, 100, 100, 100, 100, 100);
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, USER);
        Server[] before = assignment(balancer, ConsistentHashBalancerTest::user);
        Server leaving = servers.get(3);

        leaving.setHealthy(false);
        Server[] during = assignment(balancer, ConsistentHashBalancerTest::user);
        int moved = 0;
        int movedFromOthers = 0;
        for (int i = 0; i < KEYS; i++) {
            assertThat(during[i]).isNotSameAs(leaving);
            if (during[i] != before[i]) {
                moved++;
                if (before[i] != leaving) {
                    movedFromOthers++;
                }
            }
        }
        long onLeaving = Arrays.stream(before).filter(s -> s == leaving).count();
        assertThat(moved).isGreaterThanOrEqualTo((int) onLeaving);
        assertThat(moved / (double) KEYS).as("all moved keys").isLessThan(1 / 10.0 + 0.02);
        assertThat(movedFromOthers / (double) KEYS).as("keys moved between servers that stayed").isLessThan(0.02);

        leaving.setHealthy(true);
        assertThat(assignment(balancer, ConsistentHashBalancerTest::user)).isEqualTo(before);
    }

    @Test
    void addingAServerTakesKeysMostlyForItself() {
        List<Server> servers = servers(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100);
        Server joining = servers.get(10);
        joining.setEnabled(false);
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, HashOn.SOURCE);
        Server[] before = assignment(balancer, ConsistentHashBalancerTest::client);

        joining.setEnabled(true);
        Server[] after = assignment(balancer, ConsistentHashBalancerTest::client);
        int toJoining = 0;
        int elsewhere = 0;
        for (int i = 0; i < KEYS; i++) {
            if (after[i] != before[i]) {
                if (after[i] == joining) {
                    toJoining++;
                } else {
                    elsewhere++;
                }
            }
        }
        assertThat(toJoining / (double) KEYS).isCloseTo(1 / 11.0, within(0.015));
        assertThat(elsewhere / (double) KEYS).isLessThan(0.02);
    }

    @Test
    void headerKeysRouteByValueAndFallBackToTheClientAddress() {
        List<Server> servers = servers(100, 100, 100, 100, 100, 100, 100, 100);
        ConsistentHashBalancer byHeader = new ConsistentHashBalancer(servers, USER);
        ConsistentHashBalancer bySource = new ConsistentHashBalancer(servers, HashOn.SOURCE);

        // One user from many addresses: one server.
        Server alice = byHeader.pick(TestContext.header("10.0.0.1", "X-User", "alice"));
        for (int i = 2; i < 200; i++) {
            assertThat(byHeader.pick(TestContext.header("10.0.0." + (i % 250), "x-user", "alice"))).isSameAs(alice);
        }
        // Many users from one address: spread over the servers.
        Map<String, Integer> users = picks(byHeader, 5000, ConsistentHashBalancerTest::user);
        assertThat(users).hasSize(8);

        // Without the header (or with an empty one) the client address decides, as source hashing would.
        for (int i = 0; i < 500; i++) {
            BalancingContext noHeader = client(i);
            assertThat(byHeader.pick(noHeader)).isSameAs(bySource.pick(noHeader));
            BalancingContext empty = new TestContext(noHeader.client(), Map.of("x-user", ""), Map.of());
            assertThat(byHeader.pick(empty)).isSameAs(bySource.pick(noHeader));
        }
    }

    @Test
    void cookieKeysRouteByValueAndFallBackToTheClientAddress() {
        List<Server> servers = servers(100, 100, 100, 100, 100, 100);
        ConsistentHashBalancer byCookie = new ConsistentHashBalancer(servers, new HashOn.Cookie("cart"));
        ConsistentHashBalancer bySource = new ConsistentHashBalancer(servers, HashOn.SOURCE);
        Server cart = byCookie.pick(TestContext.cookie("10.0.0.1", "cart", "c-42"));
        for (int i = 2; i < 200; i++) {
            assertThat(byCookie.pick(TestContext.cookie("10.0.1." + (i % 250), "cart", "c-42"))).isSameAs(cart);
        }
        assertThat(picks(byCookie, 5000, i -> TestContext.cookie("10.0.0.1", "cart", "c-" + i))).hasSize(6);
        // Another cookie is not the key: the client address decides.
        for (int i = 0; i < 200; i++) {
            BalancingContext other = TestContext.cookie("10.0.2." + i, "session", "s-" + i);
            assertThat(byCookie.pick(other)).isSameAs(bySource.pick(other));
        }
    }

    @Test
    void sourceHashIgnoresTheClientPort() {
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers(100, 100, 100, 100), HashOn.SOURCE);
        for (int i = 0; i < 200; i++) {
            String ip = "172.16." + i + ".9";
            Server first = balancer.pick(TestContext.client(ip, 1024));
            for (int port = 1025; port < 1035; port++) {
                assertThat(balancer.pick(TestContext.client(ip, port))).isSameAs(first);
            }
        }
        Server v6 = balancer.pick(TestContext.client("2001:db8::17", 1));
        assertThat(balancer.pick(TestContext.client("2001:db8::17", 2))).isSameAs(v6);
        assertThat(picks(balancer, 2000, i -> TestContext.client("2001:db8::" + Integer.toHexString(i), 1)))
                .hasSize(4);
    }

    @Test
    void aServerAtItsCapLendsItsKeysAndGetsThemBack() {
        List<Server> servers = List.of(capped("a", 0, 1), capped("b", 1, 0), capped("c", 2, 0), capped("d", 3, 0));
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, HashOn.SOURCE);
        Server[] before = assignment(balancer, ConsistentHashBalancerTest::client);
        Server capped = servers.get(0);
        assertThat(capped.tryAcquireConnection()).isTrue();

        Server[] during = assignment(balancer, ConsistentHashBalancerTest::client);
        for (int i = 0; i < KEYS; i++) {
            assertThat(during[i]).isNotSameAs(capped);
            if (before[i] != capped) {
                assertThat(during[i]).as("a key of another server stays").isSameAs(before[i]);
            }
        }
        capped.releaseConnection();
        assertThat(assignment(balancer, ConsistentHashBalancerTest::client)).isEqualTo(before);
    }

    @Test
    void neverAnIneligibleServerAndNullOnlyWhenNoneIsEligible() {
        List<Server> servers = servers(100, 100, 100);
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, USER);
        servers.get(0).setEnabled(false);
        servers.get(1).setHealthy(false);
        assertThat(picks(balancer, 5000, ConsistentHashBalancerTest::user)).containsOnlyKeys("s2");
        servers.get(2).setHealthy(false);
        assertThat(balancer.pick(user(1))).isNull();
        assertThat(balancer.pick(null)).isNull();
        servers.get(1).setHealthy(true);
        assertThat(picks(balancer, 5000, ConsistentHashBalancerTest::user)).containsOnlyKeys("s1");
        assertThat(balancer.pick(null)).isSameAs(servers.get(1));
        assertThat(new ConsistentHashBalancer(List.of(), USER).pick(user(1))).isNull();
    }

    @Test
    void theTableIsRebuiltOnlyWhenItsOwnServersChange() {
        List<Server> servers = servers(100, 100, 100);
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, HashOn.SOURCE);
        MaglevTable first = balancer.currentTable();
        assertThat(balancer.currentTable()).isSameAs(first);

        Server elsewhere = new Server("other", "x", 0, new InetSocketAddress("127.0.0.1", 1), 100, 0);
        elsewhere.setHealthy(false);
        MaglevTable restamped = balancer.currentTable();
        assertThat(restamped.epoch()).isEqualTo(Server.membershipEpoch());
        for (long key = 0; key < 1000; key++) {
            assertThat(restamped.owner(key)).isSameAs(first.owner(key));
        }

        servers.get(1).setEnabled(false);
        MaglevTable rebuilt = balancer.currentTable();
        assertThat(rebuilt.builtFrom(servers.toArray(new Server[0]))).isTrue();
        assertThat(rebuilt.owner(Hashing.hash("k"))).isNotSameAs(servers.get(1));
    }

    @Test
    void weightedTableSlotsFollowWeights() {
        Server[] servers = servers(1000, 1, 500).toArray(new Server[0]);
        MaglevTable table = MaglevTable.build(servers, MaglevTable.DEFAULT_SIZE, 0);
        int[] slots = new int[3];
        for (long key = 0; key < MaglevTable.DEFAULT_SIZE * 2L; key += 2) {
            // Every slot once: hash >>> 1 walks the slots in order.
            slots[table.owner(key).index()]++;
        }
        assertThat(slots[0] / (double) MaglevTable.DEFAULT_SIZE).isCloseTo(1000 / 1501.0, within(0.002));
        assertThat(slots[1]).isPositive();
        assertThat(slots[2] / (double) MaglevTable.DEFAULT_SIZE).isCloseTo(500 / 1501.0, within(0.002));
    }

    @Test
    void tableSizeMustBePrime() {
        assertThatThrownBy(() -> new ConsistentHashBalancer(servers(1), HashOn.SOURCE, 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prime");
    }

    @Test
    void concurrentPicksWhileServersComeAndGo() throws Exception {
        List<Server> servers = servers(100, 200, 300, 400, 100, 100);
        ConsistentHashBalancer balancer = new ConsistentHashBalancer(servers, HashOn.SOURCE);
        Thread flapper = new Thread(() -> {
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                servers.get(i % 3).setHealthy(i % 2 == 0);
                Thread.onSpinWait();
            }
        });
        flapper.start();
        try {
            // Servers 3..5 never leave, so a pick never comes back empty.
            TestServers.concurrencySmoke(balancer, servers);
        } finally {
            flapper.interrupt();
            flapper.join();
        }
    }
}
