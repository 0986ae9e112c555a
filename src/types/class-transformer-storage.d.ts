// class-transformer keeps its metadata storage out of its public entry point; its CommonJS
// build exposes it here. Read only, to decide whether a DTO needs plainToInstance.
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
  export const defaultMetadataStorage: MetadataStorage;
}
