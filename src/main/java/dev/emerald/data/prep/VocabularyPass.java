package dev.emerald.data.prep;

/** The char tokenizer's first pass: the characters every document uses, which become its vocabulary. */
final class VocabularyPass implements Processor {
    @Override
    public void process(Section section, Batch out) {
        if (section.emptyDocument()) {
            return;
        }
        String text = CharText.clean(section.text());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            out.characters.set(cp);
            i += Character.charCount(cp);
        }
        out.textBytes += section.length();
        if (section.index() == 0) {
            out.documents++;
        }
    }
}
