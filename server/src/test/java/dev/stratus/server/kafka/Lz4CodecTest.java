package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jpountz.lz4.LZ4Factory;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * Kafka's LZ4 codec runs on the maintained fork (at.yawk.lz4) that the build puts in place of
 * kafka-clients' own org.lz4 1.8.0 (issue 15, finding 7): without an lz4 jar a producer set to
 * compression.type=lz4 fails at its first batch.
 */
class Lz4CodecTest {

    @Test
    void a_batch_compressed_with_lz4_reads_back_record_for_record() {
        List<SimpleRecord> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(new SimpleRecord(("key-" + i).getBytes(StandardCharsets.UTF_8), ("digit " + (i % 10)).repeat(20).getBytes(StandardCharsets.UTF_8)));
        }

        MemoryRecords records = MemoryRecords.withRecords(Compression.lz4().build(), sent.toArray(SimpleRecord[]::new));

        MutableRecordBatch batch = records.batches().iterator().next();
        assertThat(batch.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(records.sizeInBytes()).isLessThan(sent.stream().mapToInt(r -> r.value().remaining()).sum() / 4);
        List<String> values = new ArrayList<>();
        for (Record record : records.records()) {
            values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
        }
        assertThat(values).hasSize(200).containsExactlyElementsOf(sent.stream().map(r -> StandardCharsets.UTF_8.decode(r.value().duplicate()).toString()).toList());
    }

    @Test
    void the_lz4_classes_come_from_the_maintained_fork() {
        String jar = LZ4Factory.class.getProtectionDomain().getCodeSource().getLocation().getPath();

        assertThat(jar).contains("/at/yawk/lz4/lz4-java/");
        byte[] text = "the same bytes again and again and again".repeat(10).getBytes(StandardCharsets.UTF_8);
        byte[] packed = LZ4Factory.fastestInstance().fastCompressor().compress(text);
        assertThat(LZ4Factory.fastestInstance().safeDecompressor().decompress(packed, text.length)).isEqualTo(text);
        assertThat(packed.length).isLessThan(text.length);
    }
}
