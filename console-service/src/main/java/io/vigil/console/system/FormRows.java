package io.vigil.console.system;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A form's rows against the list the control plane was sent: blank rows are left out of what is
 * sent, so the control plane's {@code matchers[1].Args} is the second row the user filled, which may
 * be the form's third. Errors are shown beside the row they are about.
 */
public final class FormRows {

  private static final Pattern INDEXED = Pattern.compile("^([A-Za-z]+)\\[(\\d+)](.*)$");

  private FormRows() {}

  /**
   * {@code specField} with the index of {@code list} turned into the form's row; other fields as
   * they are.
   *
   * @param blankRows for each row of the form, whether it was left blank (and so not sent)
   */
  public static String formField(String specField, String list, List<Boolean> blankRows) {
    Matcher m = INDEXED.matcher(specField);
    if (!m.matches() || !m.group(1).equals(list)) {
      return specField;
    }
    int k = Integer.parseInt(m.group(2));
    int seen = -1;
    for (int row = 0; row < blankRows.size(); row++) {
      if (!blankRows.get(row) && ++seen == k) {
        return list + "[" + row + "]" + m.group(3);
      }
    }
    return specField;
  }
}
