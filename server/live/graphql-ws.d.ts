// graphql-ws publishes its ws adapter only through package "exports", which this project's "node"
// module resolution does not read for types; the runtime (require) does. Point the types at the file.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
