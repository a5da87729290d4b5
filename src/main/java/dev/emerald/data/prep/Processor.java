package dev.emerald.data.prep;

/** What a pass does with each section of text, on a thread of the pool. */
interface Processor {
    void process(Section section, Batch out);
}
