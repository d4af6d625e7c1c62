/**
 * The run's lines follow their code through edits (extension/src/views/line-shift.ts): lines
 * inserted above move a line down, text typed on it or after it leaves it, a deleted line is
 * gone, an undo brings it back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { EditLog, shiftLine, type LineEdit } from '../../extension/src/views/line-shift.js';

/** An edit as VS Code reports it: the replaced range (0-based lines) and the new text. */
const edit = (startLine: number, startCharacter: number, endLine: number, text: string, endCharacter = 0): LineEdit =>
  ({ startLine, startCharacter, endLine, endCharacter, text });

describe('lines follow edits until the next run', () => {
  it('shiftLine: above, on and below the edit', () => {
    const insertTwoAbove = edit(2, 0, 2, 'a\nb\n'); // two lines pasted at the start of line 2
    assert.equal(shiftLine(1, insertTwoAbove), 1);
    assert.equal(shiftLine(2, insertTwoAbove), 4, 'the line pasted above pushes it down');
    assert.equal(shiftLine(7, insertTwoAbove), 9);
    const newlineAtEnd = edit(2, 10, 2, '\n'); // Enter at the end of line 2
    assert.equal(shiftLine(2, newlineAtEnd), 2);
    assert.equal(shiftLine(3, newlineAtEnd), 4);
    const deleteLines3to4 = edit(3, 0, 5, ''); // lines 3 and 4 deleted whole
    assert.equal(shiftLine(3, deleteLines3to4), null);
    assert.equal(shiftLine(4, deleteLines3to4), null);
    assert.equal(shiftLine(5, deleteLines3to4), 3);
    assert.equal(shiftLine(2, deleteLines3to4), 2);
    const joinLines = edit(3, 4, 4, '', 2); // from inside line 3 to inside line 4: line 4's start is gone
    assert.equal(shiftLine(4, joinLines), null);
    assert.equal(shiftLine(3, joinLines), 3);
    assert.equal(shiftLine(6, joinLines), 5);
  });

  it('EditLog replays every edit since the run, maps back after an undo, finds the run line under the cursor', () => {
    const log = new EditLog();
    assert.equal(log.current(8), 8);
    log.push([edit(0, 0, 0, '// one\n// two\n')]); // two lines inserted at the top
    assert.equal(log.current(8), 10);
    assert.equal(log.current(1), 3);
    log.push([edit(9, 5, 9, 'x', 5)]); // typing on the moved line (0-based 9 = line 10) keeps it there
    assert.equal(log.current(8), 10);
    assert.equal(log.runLineAt(10, [4, 5, 8]), 8);
    assert.equal(log.runLineAt(8, [4, 5, 8]), undefined, 'nothing of the run is at line 8 now');
    log.push([edit(9, 5, 9, '', 6)]); // undo the typing
    log.push([edit(0, 0, 2, '')]); // undo the insertion
    assert.equal(log.current(8), 8);
    log.push([edit(7, 0, 8, '')]); // line 8 deleted
    assert.equal(log.current(8), null);
    assert.equal(log.current(9), 8);
  });
});
