import type { Detector, Finding } from "./detector.ts";

/**
 * The original rule: within each UTC minute, every allowed emote whose share of that
 * minute's allowed emotes is strictly above the threshold. Findings in a stable order
 * (minute, then the order of `allowedEmotes`).
 */
export const thresholdDetector: Detector = {
  name: "threshold",
  detect(counts, settings) {
    const findings: Finding[] = [];
    const minutes = [...counts.keys()].sort((a, b) => a - b);
    for (const minute of minutes) {
      const perEmote = counts.get(minute);
      if (!perEmote) continue;
      let total = 0;
      for (const emote of settings.allowedEmotes) total += perEmote.get(emote) ?? 0;
      if (total === 0) continue;
      for (const emote of settings.allowedEmotes) {
        const count = perEmote.get(emote) ?? 0;
        const ratio = count / total;
        if (count > 0 && ratio > settings.threshold) {
          findings.push({ windowStartMs: minute, emote, count, total, ratio });
        }
      }
    }
    return findings;
  },
};
