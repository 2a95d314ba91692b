/** One real-looking file per grammar: items stay whole, containers are descended, preambles carry context. */
import { describe, expect, test } from "bun:test";
import { shardFile } from "../../pipeline/shard/shard";
import { expectValidPlan, functionsOf, linesMatching, readFixture, shardsOver } from "./fixture";

interface LanguageCase {
  file: string;
  language: string;
  /** Symbols some shard must list. */
  symbols: string[];
  /** First line of a container too big for one shard: shards inside it repeat this line in their preamble. */
  container?: RegExp;
  /** First import line: shards that do not hold it repeat it in their preamble. */
  firstImport?: string;
}

const OPTIONS = { thresholdChars: 400, maxShardChars: 700 };

const CASES: LanguageCase[] = [
  { file: "auth.rs", language: "rust", symbols: ["impl AuthService", "fn login", "fn check", "enum AuthError", "struct Session", "mod tests"], container: /^impl AuthService \{/, firstImport: "use std::collections::HashMap;" },
  { file: "session_store.ts", language: "typescript", symbols: ["class SessionStore", "method open", "method find", "function fingerprint", "interface SessionBackend"], container: /^export class SessionStore \{/, firstImport: 'import { createHash, randomBytes } from "node:crypto";' },
  { file: "UserCard.tsx", language: "tsx", symbols: ["function UserCard", "function FollowButton", "function UserList", "interface UserCardProps"], firstImport: 'import React, { useCallback, useMemo, useState } from "react";' },
  { file: "legacy_router.js", language: "javascript", symbols: ["function requireUser", "router.get('/orders')", "router.post('/orders')", "router.delete('/orders/:id')"], firstImport: "const express = require('express');" },
  { file: "billing.py", language: "python", symbols: ["class BillingRun", "def add_usage", "def close", "def format_invoice", "VAT_RATE ="], container: /^class BillingRun:/, firstImport: "from __future__ import annotations" },
  { file: "server.go", language: "go", symbols: ["func (s *Server) getOrder", "func (s *Server) createOrder", "func writeJSON", "type Order"], firstImport: "package api" },
  { file: "InventoryService.java", language: "java", symbols: ["class InventoryService", "method reserve", "method outOfStock"], container: /^public class InventoryService \{/, firstImport: "package com.example.inventory;" },
  { file: "OrderProcessor.cs", language: "csharp", symbols: ["class OrderProcessor", "method ChargeAsync", "method Merge"], container: /^ {4}public class OrderProcessor$/, firstImport: "using System;" },
  { file: "matrix.cpp", language: "cpp", symbols: ["namespace linalg", "class Matrix", "function Matrix::multiply", "function identity"], container: /^namespace linalg \{/ },
  { file: "ring_buffer.c", language: "c", symbols: ["struct ring_buffer", "function rb_new", "function rb_push", "function rb_pop"], firstImport: "#include <stdbool.h>" },
  { file: "invoice.rb", language: "ruby", symbols: ["module Billing", "class Invoice", "def add", "def self.from_order"], container: /^ {2}class Invoice$/, firstImport: 'require "bigdecimal"' },
  { file: "UserController.php", language: "php", symbols: ["class UserController", "function store", "function user_display_name"], container: /^class UserController extends Controller$/, firstImport: "namespace App\\Http\\Controllers;" },
  { file: "deploy.sh", language: "bash", symbols: ["function log", "function build", "function upload"], firstImport: 'source "$(dirname "$0")/lib/common.sh"' },
];

describe("tree-sitter languages", () => {
  for (const c of CASES) {
    test(`${c.language}: ${c.file}`, async () => {
      const text = readFixture(c.file);
      const plan = await shardFile(c.file, text, OPTIONS);
      expectValidPlan(plan, text, OPTIONS.maxShardChars);
      expect(plan.language).toBe(c.language);
      expect(plan.strategy).toBe("tree-sitter");
      expect(plan.shards.length).toBeGreaterThan(1);

      const symbols = plan.shards.flatMap((s) => s.symbols);
      for (const symbol of c.symbols) expect(symbols).toContain(symbol);

      // Every function that fits in one shard is in one shard.
      const functions = await functionsOf(c.file, text);
      expect(functions.length).toBeGreaterThan(2);
      for (const fn of functions.filter((f) => f.chars <= OPTIONS.maxShardChars)) {
        expect({ fn, shards: shardsOver(plan, fn.start, fn.end).length }).toEqual({ fn, shards: 1 });
      }

      if (c.container !== undefined) {
        const [line] = linesMatching(text, c.container);
        const header = `line ${line}: ${text.split("\n")[(line as number) - 1]?.trim()}`;
        const inside = plan.shards.filter((s) => s.lineStart > (line as number) && s.preamble.includes(header));
        expect(inside.length).toBeGreaterThan(0);
      }

      if (c.firstImport !== undefined) {
        const [importLine] = linesMatching(text, new RegExp(`^${c.firstImport.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
        for (const shard of plan.shards) {
          const holdsImport = shard.lineStart <= (importLine as number) && (importLine as number) <= shard.lineEnd;
          expect(shard.preamble.includes(c.firstImport)).toBe(!holdsImport);
        }
      }
    });
  }
});
