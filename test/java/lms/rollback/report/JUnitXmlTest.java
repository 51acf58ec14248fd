package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** Jenkins' junit step refuses a file that is not XML 1.0: a failure quoting control characters must not make one. */
class JUnitXmlTest {

  @Test
  void controlCharactersInAFailureAreWrittenVisiblyAndTheFileParses() throws Exception {
    String quoted = "pod-1: \u001b[31mERROR\u001b[0m pool\u0000 exhausted \uD800 & <b>";

    String xml = JUnitXml.document(List.of(new JUnitXml.Suite("verify-blue", List.of(new JUnitXml.Case("Blue logs", 3, quoted)))));

    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    String message = doc.getElementsByTagName("failure").item(0).getAttributes().getNamedItem("message").getNodeValue();
    assertEquals("pod-1: \\u001b[31mERROR\\u001b[0m pool\\u0000 exhausted \\ud800 & <b>", message);
  }
}
