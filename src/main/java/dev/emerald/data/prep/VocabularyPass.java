package dev.emerald.data.prep;

/** The char tokenizer's first pass: the characters every document uses, which become its vocabulary. */
final class VocabularyPass implements Processor {
    @Override
    public void process(Section section, Batch out) {
        if (section.emptyDocument()) {
            return;
        }
        char[] chars = CharText.clean(section.text()).toCharArray(); // much faster to walk than String.codePointAt
        for (int i = 0; i < chars.length; i++) {
            if (Character.isHighSurrogate(chars[i]) && i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
                out.characters.set(Character.toCodePoint(chars[i], chars[++i]));
            } else {
                out.characters.set(chars[i]);
            }
        }
        out.textBytes += section.length();
        if (section.index() == 0) {
            out.documents++;
        }
    }
}
