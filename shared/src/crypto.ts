export { developmentSecretsKey, SecretBox, secretsKeyFrom } from './crypto/secret-box.js';
