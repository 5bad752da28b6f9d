package dev.tilefarm.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.UndecodableException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Notifications as AWS S3 and MinIO publish them, and rules that turn them into valid process jobs. */
class TriggerRulesTest {
  private static byte[] bytes(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  static final String MINIO = "{'EventName':'s3:ObjectCreated:Put','Key':'tilefarm/uploads/in/My+Photo.JPG',"
      + "'Records':[{'eventVersion':'2.0','eventSource':'minio:s3','awsRegion':'','eventTime':'2026-01-01T00:00:00Z',"
      + "'eventName':'s3:ObjectCreated:Put','userIdentity':{'principalId':'tilefarm'},'requestParameters':{},"
      + "'responseElements':{},'s3':{'s3SchemaVersion':'1.0','configurationId':'Config','bucket':{'name':'tilefarm',"
      + "'ownerIdentity':{'principalId':'tilefarm'},'arn':'arn:aws:s3:::tilefarm'},'object':{'key':"
      + "'uploads%2Fin%2FMy+Photo.JPG','size':1234,'eTag':'abc','contentType':'image/jpeg','sequencer':'17A'}}}]}";

  static final String RULES = "[{'bucket':'tilefarm','prefix':'uploads/in/','ops':[{'op':'clahe'},"
      + "{'op':'canny','low':50,'high':150}],'output':'s3://tilefarm/processed/'},"
      + "{'bucket':'tilefarm','prefix':'uploads/','ops':[{'op':'grayscale'}],'output':'s3://tilefarm/grey','format':'jpg'}]";

  @Test
  void aMinioNotificationBecomesAValidJobByTheFirstMatchingRule() {
    S3Event event = S3Event.parse(bytes(MINIO));
    assertEquals(1, event.created().size());
    assertEquals("uploads/in/My Photo.JPG", event.created().get(0).key());
    ObjectNode job = TriggerRules.parse(bytes(RULES)).jobFor(event.created().get(0));
    assertEquals("s3://tilefarm/uploads/in/My Photo.JPG", job.get("input").asText());
    assertEquals("s3://tilefarm/processed/My Photo.png", job.get("output").asText());
    JobRequest decoded = JobCodec.decode(job, "x");
    assertEquals(2, ((JobRequest.Process) decoded).ops().size());
  }

  @Test
  void theJobIdIsFixedByTheObjectVersionSoARepeatedNotificationIsOneJob() {
    S3Event.Created a = new S3Event.Created("b", "k.png", 1, "e1", "s1");
    assertEquals(TriggerRules.id(a), TriggerRules.id(new S3Event.Created("b", "k.png", 1, "e1", "s1")));
    assertNotEquals(TriggerRules.id(a), TriggerRules.id(new S3Event.Created("b", "k.png", 1, "e2", "s2")));
  }

  @Test
  void otherEventsObjectsAndKeysAreIgnored() {
    TriggerRules rules = TriggerRules.parse(bytes(RULES));
    assertNull(rules.jobFor(new S3Event.Created("tilefarm", "elsewhere/a.png", 1, "", "")));
    assertNull(rules.jobFor(new S3Event.Created("other", "uploads/a.png", 1, "", "")));
    assertNull(rules.jobFor(new S3Event.Created("tilefarm", "uploads/notes.txt", 1, "", "")));
    assertTrue(S3Event.parse(bytes("{'Records':[{'eventName':'ObjectRemoved:Delete','s3':{}}]}")).created().isEmpty());
    assertTrue(S3Event.parse(bytes("{'Service':'Amazon S3','Event':'s3:TestEvent'}")).created().isEmpty());
    assertEquals("s3://tilefarm/grey/x/y.jpg", rules.jobFor(new S3Event.Created("tilefarm", "uploads/x/y.tiff", 1, "",
        "")).get("output").asText());
  }

  @Test
  void badNotificationsAreUndecodableWithAReason() {
    assertThrows(UndecodableException.class, () -> S3Event.parse(bytes("not json")));
    assertThrows(UndecodableException.class, () -> S3Event.parse(bytes("{'records':[]}")));
    assertThrows(UndecodableException.class, () -> S3Event.parse(bytes(
        "{'Records':[{'eventName':'ObjectCreated:Put','s3':{'bucket':{'name':'b'}}}]}")));
  }

  @Test
  void badRulesNameTheRuleAndField() {
    assertEquals("rules[0].ops[0].sigma: must be from 0.1 to 64.0, got 100", assertThrows(
        TriggerRules.InvalidRulesException.class, () -> TriggerRules.parse(bytes(
            "[{'bucket':'bucket-1','ops':[{'op':'gaussian-blur','sigma':100}],'output':'s3://bucket-1/out/'}]"))).getMessage());
    assertTrue(assertThrows(TriggerRules.InvalidRulesException.class, () -> TriggerRules.parse(bytes(
        "[{'bucket':'bucket-1','ops':[],'output':'s3://bucket-1/out/','colour':1}]"))).getMessage().startsWith(
        "rules[0].colour: unknown field"));
    assertTrue(assertThrows(TriggerRules.InvalidRulesException.class, () -> TriggerRules.parse(bytes(
        "[{'bucket':'bucket-1','ops':[{'op':'emboss'}],'output':'s3://bucket-1/out/'}]"))).getMessage().startsWith(
        "rules[0].ops[0].op: unknown op 'emboss'"));
  }
}
