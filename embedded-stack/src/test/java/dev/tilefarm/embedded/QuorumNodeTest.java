package dev.tilefarm.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A node of a multi-node quorum: its settings, and the errors that name what is wrong. */
class QuorumNodeTest {
    private static final String VOTERS = "1@10.0.0.1:9093,2@10.0.0.2:9093,3@10.0.0.3:9093";

    @Test
    void threeNodesKeepThreeCopiesAndWriteWithTwo() {
        EmbeddedKafka.QuorumNode node = new EmbeddedKafka.QuorumNode(2, "10.0.0.2", 9092, VOTERS, "abc");
        Properties p = EmbeddedKafka.quorumProperties(Path.of("/data/logs"), node);
        assertEquals("2", p.getProperty("node.id"));
        assertEquals(VOTERS, p.getProperty("controller.quorum.voters"));
        assertEquals("PLAINTEXT://10.0.0.2:9092,CONTROLLER://10.0.0.2:9093", p.getProperty("listeners"));
        assertEquals("PLAINTEXT://10.0.0.2:9092", p.getProperty("advertised.listeners"));
        for (String key : new String[] {"default.replication.factor", "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor", "share.coordinator.state.topic.replication.factor"}) {
            assertEquals("3", p.getProperty(key), key);
        }
        for (String key : new String[] {"min.insync.replicas", "transaction.state.log.min.isr",
            "share.coordinator.state.topic.min.isr"}) {
            assertEquals("2", p.getProperty(key), key);
        }
        assertEquals("broker,controller", p.getProperty("process.roles"));
    }

    @Test
    void aSingleVoterKeepsOneCopy() {
        EmbeddedKafka.QuorumNode node = new EmbeddedKafka.QuorumNode(7, "127.0.0.1", 19092, "7@127.0.0.1:19093", "x");
        Properties p = EmbeddedKafka.quorumProperties(Path.of("/d"), node);
        assertEquals("1", p.getProperty("default.replication.factor"));
        assertEquals("1", p.getProperty("min.insync.replicas"));
        assertEquals(19093, node.controllerPort());
        assertEquals(Map.of(7, "127.0.0.1:19093"), node.voterAddresses());
    }

    @Test
    void badQuorumsAreRefusedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafka.QuorumNode(4, "h", 9092, VOTERS, "c")).getMessage().startsWith("nodeId: 4"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafka.QuorumNode(1, "h", 9092, "1@h", "c")).getMessage().startsWith("voters:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafka.QuorumNode(1, "h", 9092, "1@h:1,1@g:2", "c")).getMessage()
                .contains("given twice"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafka.QuorumNode(1, "h", 0, "1@h:1", "c")).getMessage().startsWith("brokerPort"));
    }
}
