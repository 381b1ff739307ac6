package dev.stratus.server.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PredictionIdsTest {

    @Test
    void ids_are_version_7_uuids_that_sort_by_time_and_do_not_repeat() {
        UUID earlier = PredictionIds.next(1_700_000_000_000L);
        UUID later = PredictionIds.next(1_700_000_000_001L);

        assertThat(earlier.version()).isEqualTo(7);
        assertThat(earlier.variant()).isEqualTo(2);
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
        assertThat(earlier.toString()).isLessThan(later.toString());

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(PredictionIds.next())).isTrue();
        }
        // 74 random bits: ids made in the same millisecond differ in their random part
        assertThat(PredictionIds.next(42L)).isNotEqualTo(PredictionIds.next(42L));
    }

    @Test
    void only_ids_of_the_issued_form_are_accepted() {
        assertThat(PredictionIds.isIssued(PredictionIds.next())).isTrue();
        assertThat(PredictionIds.isIssued(UUID.randomUUID().toString())).isTrue();
        String issued = PredictionIds.next();
        for (String odd : new String[] {"_all_docs", "_changes", "_design/x", "", issued.toUpperCase(),
                issued + "0", issued.substring(1), issued.replace('-', '_'), "00000000-0000-1000-8000-000000000000"}) {
            assertThat(PredictionIds.isIssued(odd)).as(odd).isFalse();
        }
        assertThat(PredictionIds.isIssued(null)).isFalse();
    }
}
