import type PDFDocument from 'pdfkit';

type Doc = InstanceType<typeof PDFDocument>;
type Struct = ReturnType<Doc['struct']>;
type Outline = ReturnType<Doc['outline']['addItem']>;
type Reference = ReturnType<Doc['ref']>;

/** pdfkit's objects as this module sees them: only the parts it reads or replaces. */
type PageReference = Reference & { data: { StructParents?: number } };
type Element = { _flushed: boolean; _children: unknown[] };
type Internals = {
  _root: { data: { Pages: { data: { Kids: unknown[] } }; StructTreeRoot?: StructTreeRoot } };
};
type StructTreeRoot = { data: { ParentTree: { _items: Record<string, unknown> } } };

/**
 * Lets a long tagged document be written in flat memory, with the same bytes.
 *
 * pdfkit writes four things only when a document ends: the page tree (every page), the structure tree's parent
 * tree (for every page, the structure element each piece of its content belongs to), the outline (every
 * bookmark, pointing at its page), and the document's root structure element (every element under it). Each
 * keeps pdfkit's whole objects for pages and elements written long before, so memory grows with the document:
 * about 12 KB an incident in an evidence bundle. What is written at the end needs of them only how each is
 * printed ("12 0 R"). So once a block is laid out, everything that belongs to pages before the current one is
 * replaced by that text, and the objects themselves can go.
 *
 * Only pages before the current one are touched: a paragraph running over a page break adds to the earlier
 * page's list when it ends, and a block ends only once all of its text is laid out.
 */
export class WrittenPages {
  private readonly doc: Doc;
  private readonly root: Struct;
  /** Pages not yet forgotten, oldest first; the last is the page being laid out. */
  private readonly pages: PageReference[] = [];
  /** Where the first of `pages` is in the page tree. */
  private firstPage = 0;
  private readonly bookmarks: { item: Outline; page: PageReference }[] = [];
  /** How many of the root element's children have been replaced. */
  private forgottenElements = 0;

  constructor(doc: Doc, root: Struct) {
    this.doc = doc;
    this.root = root;
  }

  /** Call when a page is added (the 'pageAdded' event). */
  pageAdded(): void {
    this.pages.push(this.doc.page.dictionary);
  }

  /** Call with each bookmark as it is added, on the current page. */
  bookmarked(item: Outline): void {
    this.bookmarks.push({ item, page: this.doc.page.dictionary });
  }

  /** Call between blocks: forgets what belongs to the pages before the current one. */
  blockDone(): void {
    this.forgetElements();
    if (this.pages.length < 2) return;
    const ended = new Set(this.pages.splice(0, this.pages.length - 1));
    const internals = this.doc as unknown as Internals;
    const kids = internals._root.data.Pages.data.Kids;
    const parentTree = internals._root.data.StructTreeRoot?.data.ParentTree._items;
    for (const page of ended) {
      kids[this.firstPage] = written(page, idOf(page));
      this.firstPage += 1;
      const key = page.data.StructParents;
      if (parentTree && key !== undefined) {
        const elements = parentTree[key] as (Reference | undefined)[];
        // As pdfkit prints an array: every index, a missing one as null.
        const ids = new Int32Array(elements.length);
        for (let i = 0; i < elements.length; i += 1) ids[i] = elements[i] ? idOf(elements[i]!) : 0;
        parentTree[key] = written(page, ids);
      }
    }
    while (this.bookmarks.length && ended.has(this.bookmarks[0]!.page)) {
      const { item, page } = this.bookmarks.shift()!;
      const destination = (item as unknown as { outlineData: { Dest?: unknown[] } }).outlineData.Dest;
      if (destination) destination[0] = written(page, idOf(page));
    }
  }

  /** Replaces the root element's children already written with stand-ins that print as their references. */
  private forgetElements(): void {
    const children = (this.root as unknown as Element)._children;
    for (; this.forgottenElements < children.length; this.forgottenElements += 1) {
      const child = children[this.forgottenElements] as (Element & { dictionary: Reference }) | undefined;
      if (!child || typeof child !== 'object' || !('_flushed' in child)) continue;
      if (!child._flushed) return;
      children[this.forgottenElements] = writtenElement(child);
    }
  }
}

/** pdfkit's references as this module reads them: every object it writes is generation 0. */
type NumberedReference = Reference & { id: number };

/**
 * References already written, kept only as what they print: one object (`12 0 R`) or, for a page's list in the
 * parent tree, an array of them (`[12 0 R null 14 0 R]`, 0 for none). Numbers rather than text, to be small.
 * They must be pdfkit's references (of its abstract class) for pdfkit to print them as they are, so the class
 * is made from the prototype of one it gave.
 */
type Written = Reference & { readonly ids: number | Int32Array };
let WrittenClass: (new (ids: number | Int32Array) => Written) | null = null;

function written(like: Reference, ids: number | Int32Array): Written {
  if (!WrittenClass) {
    const { constructor: Abstract } = Object.getPrototypeOf(Object.getPrototypeOf(like)) as {
      constructor: new () => object;
    };
    WrittenClass = class extends Abstract {
      readonly ids: number | Int32Array;
      constructor(ids: number | Int32Array) {
        super();
        this.ids = ids;
      }
      override toString() {
        if (typeof this.ids === 'number') return `${this.ids} 0 R`;
        return `[${Array.from(this.ids, (id) => (id ? `${id} 0 R` : 'null')).join(' ')}]`;
      }
    } as unknown as new (ids: number | Int32Array) => Written;
  }
  return new WrittenClass(ids);
}

const alwaysFlushable = () => true;
const noChildren: readonly unknown[] = Object.freeze([]);

/**
 * A written structure element as its parent still needs it when it is itself written: ended, flushable and
 * with a dictionary that prints as its reference.
 */
function writtenElement(element: Element & { dictionary: Reference }): object {
  const stub = Object.create(Object.getPrototypeOf(element) as object) as Record<string, unknown>;
  stub._attached = true;
  stub._ended = true;
  stub._flushed = true;
  stub._children = noChildren;
  stub._isFlushable = alwaysFlushable;
  stub.dictionary = written(element.dictionary, idOf(element.dictionary));
  return stub;
}

function idOf(reference: Reference): number {
  const { id, gen } = reference as NumberedReference & { gen: number };
  if (gen !== 0) throw new Error('pdfkit wrote an object of a generation other than 0');
  return id;
}

/**
 * pdfkit keeps how it laid out every word it has met (each font's `layoutCache`), for the whole document: in a
 * long one, every incident's numbers and names are new words. Called every few hundred blocks, this starts
 * each font's store afresh; the words met again are laid out again, the same way.
 */
export function forgetWordLayouts(doc: Doc): void {
  const fonts = (doc as unknown as { _fontFamilies: Record<string, { layoutCache?: object }> })._fontFamilies;
  for (const font of Object.values(fonts))
    if (font.layoutCache) font.layoutCache = Object.create(null) as object;
}
