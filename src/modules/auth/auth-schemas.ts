import { z } from 'zod';

export const signInFormSchema = z.strictObject({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' })),
});

export const verifyFormSchema = z.strictObject({
  token: z.string().min(10).max(200),
});

export const apiTokenFormSchema = z.strictObject({
  name: z
    .string({ error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token')
    .max(100, 'The name must be 100 characters or fewer'),
});
