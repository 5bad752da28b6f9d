package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiles' partial analyses merge into one report: counts add up, and a face two tiles saw is reported once. */
class ReportMergeTest {
  private static JsonNode json(String singleQuoted) throws Exception {
    return Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
  }

  @Test
  void countsAddUpAndColoursAreRankedByPixels() throws Exception {
    ObjectNode report = ReportMerge.merge(List.of(
        json("{'analyses':[{'index':0,'op':'histogram','bins':2,'counts':[[3,1]]},"
            + "{'index':1,'op':'dominant-colors','count':2,'cells':{'0':[3,0,0,0],'7':[1,255,255,255]}}]}"),
        json("{'analyses':[{'index':0,'op':'histogram','bins':2,'counts':[[0,4]]},"
            + "{'index':1,'op':'dominant-colors','count':2,'cells':{'7':[3,765,765,765],'3':[1,0,128,128]}}]}")));
    assertEquals("[3,5]", report.at("/analyses/0/channels/grey").toString());
    JsonNode colours = report.at("/analyses/1/colors");
    assertEquals(2, colours.size());
    assertEquals("#ffffff", colours.get(0).get("hex").asText());
    assertEquals(4, colours.get(0).get("pixels").asLong());
    assertEquals(0.5, colours.get(0).get("share").asDouble());
    assertEquals(3, colours.get(1).get("pixels").asLong());
  }

  @Test
  void aFaceOnATileBorderSeenByTwoTilesIsReportedOnce() throws Exception {
    ObjectNode report = ReportMerge.merge(List.of(
        json("{'analyses':[{'index':2,'op':'detect-faces','faces':[[100,50,80,80],[300,300,40,40]]}]}"),
        json("{'analyses':[{'index':2,'op':'detect-faces','faces':[[103,52,78,78]]}]}")));
    assertEquals(2, report.at("/analyses/0/count").asInt());
    assertEquals("{\"x\":100,\"y\":50,\"width\":80,\"height\":80}", report.at("/analyses/0/faces/0").toString());
  }
}
