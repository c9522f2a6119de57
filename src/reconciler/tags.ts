// spec.tags: names given to each final image in the repository once it is
// built. `%image%` stands for the image name (werf export's placeholder).

export const IMAGE_PLACEHOLDER = '%image%';

/** Tag per requested final image; an error when two images would get the same tag. */
export function finalImageTags(
  templates: readonly string[],
  images: readonly string[],
): { ok: true; tags: Map<string, string[]> } | { ok: false; message: string } {
  const tags = new Map<string, string[]>();
  const owner = new Map<string, string>();
  for (const image of images) {
    const list: string[] = [];
    for (const template of templates) {
      const tag = template.split(IMAGE_PLACEHOLDER).join(image.replace(/[^A-Za-z0-9_.-]/g, '-'));
      const other = owner.get(tag);
      if (other !== undefined && other !== image) {
        return {
          ok: false,
          message: `spec.tags: '${template}' gives images ${other} and ${image} the same tag ${tag}; add ${IMAGE_PLACEHOLDER}`,
        };
      }
      owner.set(tag, image);
      list.push(tag);
    }
    tags.set(image, list);
  }
  return { ok: true, tags };
}
