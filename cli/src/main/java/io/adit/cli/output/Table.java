package io.adit.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns aligned like kubectl's: upper-case headers, three spaces between columns, the last
 * column not padded so lines carry no trailing blanks. Empty cells print as "-" so that every
 * row splits into the same number of words.
 */
public final class Table {
  private static final String GAP = "   ";
  private final List<String[]> rows = new ArrayList<>();
  private final int width;

  private Table(String... headers) {
    this.width = headers.length;
    rows.add(headers);
  }

  public static Table of(String... headers) {
    return new Table(headers);
  }

  public Table row(Object... cells) {
    if (cells.length != width) {
      throw new IllegalArgumentException("a row needs " + width + " cells, got " + cells.length);
    }
    String[] row = new String[width];
    for (int i = 0; i < width; i++) {
      String s = cells[i] == null ? "" : cells[i].toString();
      row[i] = s.isEmpty() ? "-" : s;
    }
    rows.add(row);
    return this;
  }

  public void print(PrintWriter out) {
    int[] widths = new int[width];
    for (String[] row : rows) {
      for (int i = 0; i < width; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder line = new StringBuilder();
    for (String[] row : rows) {
      line.setLength(0);
      for (int i = 0; i < width; i++) {
        line.append(row[i]);
        if (i < width - 1) {
          line.append(" ".repeat(widths[i] - row[i].length())).append(GAP);
        }
      }
      out.println(line);
    }
  }
}
