// sgpu_frame_alloc: device-memory frame allocator with per-owner frame lists.
//
// Every frame is in exactly one place:
//   - untouched: frames >= fresh_q, never used since reset: clean when the device memory
//     starts zeroed (MemZeroed, block RAM), dirty when it does not (SPRAM, SDRAM: every frame
//     is scrubbed before its first use; the scrubber takes untouched frames first);
//   - the clean list: a stack of scrubbed frames;
//   - the dirty FIFO: freed frames waiting for the scrubber (or held by it while it zeroes);
//   - the list of one owner (a process slot): a doubly linked list of its data frames and
//     page-table pages.
// The lists share one next-pointer RAM and one prev-pointer RAM: one write port and one
// synchronous read port each, so they map to block RAM (iCE40 SB_RAM40_4K, ECP5 DP16KD).
// Operations run one at a time; a pointer an operation needs is read in its first cycle and
// used in the next.
//
// Why lists: RELEASE splices a whole owner list onto the dirty FIFO in one cycle, so a
// process teardown frees N frames in O(1) whatever its mapping looks like; FREE unlinks a
// single frame in O(1) for UNMAP. ALLOC only ever hands out clean frames; when none is clean
// but some are dirty it waits for the scrubber; when nothing is free it answers nomem.
//
// Command port (the context manager): hold op_valid_i and the operands until op_done_o.
//   ALLOC   owner            -> rsp_frame_o or rsp_nomem_o   2 cycles (more while waiting)
//   FREE    owner, frame                                     3 cycles
//   RELEASE owner            -> rsp_count_o frames spliced   1 cycle
// Scrubber port: pop_req_i takes the dirty head (pop_ack_o, pop_frame_o; 2 cycles); push_req_i
// returns a zeroed frame to the clean list (push_ack_o, 1 cycle). Both yield to the command
// port; an ALLOC that waits for a clean frame lets them run.
// Invariant (asserted): clean + dirty + used == NumFrames at every cycle.
module sgpu_frame_alloc #(
  parameter int unsigned NumFrames = 64,                        // frames of device memory
  parameter int unsigned NumOwners = 4,                         // process slots
  parameter bit          MemZeroed = 1'b1,                      // memory starts zeroed
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned OwnerW   = (NumOwners > 1) ? $clog2(NumOwners) : 1,
  localparam int unsigned TotW     = CntW + 1   // totals wrap at 2^TotW > 2 * NumFrames
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // command port
  input  logic              op_valid_i,
  input  logic [1:0]        op_i,          // OpAlloc / OpFree / OpRelease
  input  logic [OwnerW-1:0] op_owner_i,
  input  logic [FrameW-1:0] op_frame_i,
  output logic              op_done_o,     // one-cycle pulse; results valid with it
  output logic [FrameW-1:0] rsp_frame_o,
  output logic              rsp_nomem_o,
  output logic [CntW-1:0]   rsp_count_o,
  // scrubber port
  input  logic              pop_req_i,
  output logic              pop_ack_o,
  output logic [FrameW-1:0] pop_frame_o,
  input  logic              push_req_i,
  input  logic [FrameW-1:0] push_frame_i,
  output logic              push_ack_o,
  // counters
  output logic [CntW-1:0]   clean_cnt_o,   // clean list + untouched
  output logic [CntW-1:0]   dirty_cnt_o,   // dirty FIFO + held by the scrubber (+ untouched)
  output logic [CntW-1:0]   used_cnt_o,
  // running totals (wrap at 2^TotW): frames ever appended to the dirty FIFO, frames ever
  // returned clean. The FIFO is scrubbed in order, so every frame appended before the moment
  // dirty_in_total_o read T is clean once clean_out_total_o - T >= 0 as a TotW-bit signed
  // difference (at most NumFrames frames are ever between the two, and 2^(TotW-1) > NumFrames).
  output logic [TotW-1:0]   dirty_in_total_o,
  output logic [TotW-1:0]   clean_out_total_o
);
  localparam logic [1:0] OpAlloc   = 2'd0;
  localparam logic [1:0] OpFree    = 2'd1;
  localparam logic [1:0] OpRelease = 2'd2;
  localparam logic [CntW-1:0] Total = CntW'(NumFrames);

  // One operation at a time: Idle decides; the others finish an operation whose pointers were
  // read in the cycle before (the RAMs answer one cycle after the address).
  typedef enum logic [2:0] {StIdle, StAlloc, StPop, StUnlink, StAppend} state_e;
  state_e st_q, st_d;

  // Pointer RAMs (contents need no reset: lists are bounded by their counts).
  logic [FrameW-1:0] next_q [NumFrames];
  logic [FrameW-1:0] prev_q [NumFrames];
  logic              next_we, prev_we;
  logic [FrameW-1:0] next_waddr, next_wdata, prev_waddr, prev_wdata;
  logic [FrameW-1:0] raddr;                     // read address (both RAMs), this cycle
  logic [FrameW-1:0] rnext_q, rprev_q;          // what they held there, next cycle

  // List heads, tails and counts.
  logic [FrameW-1:0] clean_head_q, clean_head_d;
  logic [CntW-1:0]   clean_list_q, clean_list_d;
  logic [CntW-1:0]   fresh_q, fresh_d;          // first untouched frame
  logic [FrameW-1:0] dirty_head_q, dirty_head_d, dirty_tail_q, dirty_tail_d;
  logic [CntW-1:0]   dirty_list_q, dirty_list_d;
  logic [CntW-1:0]   scrubbing_q, scrubbing_d;
  logic [CntW-1:0]   used_q, used_d;
  logic [FrameW-1:0] own_head_q [NumOwners];
  logic [FrameW-1:0] own_tail_q [NumOwners];
  logic [CntW-1:0]   own_cnt_q  [NumOwners];
  logic              own_we;
  logic [FrameW-1:0] own_head_d, own_tail_d;
  logic [CntW-1:0]   own_cnt_d;
  logic [TotW-1:0]   din_q, din_d, cout_q, cout_d;
  logic [CntW-1:0]   cl_dl, dl_dl, sc_dl, us_dl, oc_dl;   // the counters' deltas this cycle
  logic [TotW-1:0]   din_dl;
  logic              us_rel;                   // RELEASE: used - o_cnt, the owner's count 0
  logic [CntW-1:0]   dirty_q, dirty_d, dt_dl;  // dirty_cnt_o, kept (one adder, a delta)

  logic [FrameW-1:0] o_head, o_tail;
  logic [CntW-1:0]   o_cnt;
  logic              have_clean, fresh_any, pop_fresh;

  assign o_head = own_head_q[op_owner_i];
  assign o_tail = own_tail_q[op_owner_i];
  assign o_cnt  = own_cnt_q[op_owner_i];
  assign fresh_any  = (fresh_q != Total);        // untouched frames are left (clean if
  assign have_clean = (clean_list_q != '0) || (MemZeroed && fresh_any);   // MemZeroed)
  assign pop_fresh  = !MemZeroed && fresh_any;   // never-used frames go to the scrubber first

  always_comb begin
    st_d         = st_q;
    clean_head_d = clean_head_q;
    cl_dl        = '0;   // counters: each arm picks a delta, one adder per counter below
    fresh_d      = fresh_q;
    dirty_head_d = dirty_head_q;
    dirty_tail_d = dirty_tail_q;
    dl_dl        = '0;
    sc_dl        = '0;
    us_dl        = '0;
    us_rel       = 1'b0;
    din_dl       = '0;
    oc_dl        = '0;
    dt_dl        = '0;
    cout_d       = cout_q;
    raddr        = op_frame_i;
    next_we = 1'b0; next_waddr = '0; next_wdata = '0;
    prev_we = 1'b0; prev_waddr = '0; prev_wdata = '0;
    own_we = 1'b0; own_head_d = o_head; own_tail_d = o_tail;
    op_done_o   = 1'b0;
    rsp_frame_o = '0;
    rsp_nomem_o = 1'b0;
    rsp_count_o = '0;
    pop_ack_o   = 1'b0;
    pop_frame_o = dirty_head_q;
    push_ack_o  = 1'b0;

    unique case (st_q)
      StIdle: begin
        if (op_valid_i && op_i == OpAlloc && have_clean) begin
          raddr = clean_head_q;                    // its successor becomes the head
          st_d  = StAlloc;
        end else if (op_valid_i && op_i == OpAlloc && dirty_list_q == '0 && scrubbing_q == '0 &&
                     !pop_fresh) begin
          op_done_o   = 1'b1;                      // nothing clean and nothing to wait for
          rsp_nomem_o = 1'b1;
        end else if (op_valid_i && op_i == OpFree) begin
          raddr = op_frame_i;                      // its neighbours in the owner's list
          st_d  = StUnlink;
        end else if (op_valid_i && op_i == OpRelease) begin
          // splice the owner's whole list onto the dirty FIFO: one cycle, any length
          op_done_o   = 1'b1;
          rsp_count_o = o_cnt;
          if (o_cnt != '0) begin
            if (dirty_list_q == '0) dirty_head_d = o_head;
            else begin
              next_we = 1'b1; next_waddr = dirty_tail_q; next_wdata = o_head;
            end
            dirty_tail_d = o_tail;
            dl_dl        = o_cnt;
            dt_dl        = o_cnt;
            din_dl       = TotW'(o_cnt);
            us_rel       = 1'b1;                 // used - o_cnt; the owner's count becomes 0
            own_we       = 1'b1;
          end
        end else if (op_valid_i && op_i != OpAlloc) begin
          op_done_o = 1'b1;                        // no such operation: done, nothing changes
        end else if (push_req_i) begin
          // (an ALLOC waiting for a clean frame lets the scrubber run)
          push_ack_o   = 1'b1;
          next_we = 1'b1; next_waddr = push_frame_i; next_wdata = clean_head_q;
          clean_head_d = push_frame_i;
          cl_dl        = CntW'(1);
          sc_dl        = '1;
          dt_dl        = '1;
          cout_d       = cout_q + 1'b1;
        end else if (pop_req_i && pop_fresh) begin
          pop_ack_o    = 1'b1;
          pop_frame_o  = fresh_q[FrameW-1:0];
          fresh_d      = fresh_q + 1'b1;
          sc_dl        = CntW'(1);
        end else if (pop_req_i && dirty_list_q != '0) begin
          raddr = dirty_head_q;                    // its successor becomes the head
          st_d  = StPop;
        end
      end

      StAlloc: begin
        op_done_o = 1'b1;
        st_d      = StIdle;
        if (clean_list_q != '0) begin
          rsp_frame_o  = clean_head_q;
          clean_head_d = rnext_q;
          cl_dl        = '1;
        end else begin
          rsp_frame_o = fresh_q[FrameW-1:0];
          fresh_d     = fresh_q + 1'b1;
        end
        // append to the owner's list
        if (o_cnt == '0) own_head_d = rsp_frame_o;
        else begin
          next_we = 1'b1; next_waddr = o_tail;      next_wdata = rsp_frame_o;
          prev_we = 1'b1; prev_waddr = rsp_frame_o; prev_wdata = o_tail;
        end
        own_we     = 1'b1;
        own_tail_d = rsp_frame_o;
        oc_dl      = CntW'(1);
        us_dl      = CntW'(1);
      end

      StPop: begin
        pop_ack_o    = 1'b1;
        st_d         = StIdle;
        dirty_head_d = rnext_q;
        dl_dl        = '1;
        sc_dl        = CntW'(1);
      end

      StUnlink: begin
        // unlink op_frame_i from the owner's list (rprev_q, rnext_q: its neighbours)
        st_d      = StAppend;
        own_we    = 1'b1;
        oc_dl     = '1;
        us_dl     = '1;
        dt_dl     = CntW'(1);                   // in transit to the dirty FIFO: dirty now
        if (o_cnt != 1 && op_frame_i == o_head) begin
          own_head_d = rnext_q;
        end else if (o_cnt != 1 && op_frame_i == o_tail) begin
          own_tail_d = rprev_q;
        end else if (o_cnt != 1) begin
          next_we = 1'b1; next_waddr = rprev_q; next_wdata = rnext_q;
          prev_we = 1'b1; prev_waddr = rnext_q; prev_wdata = rprev_q;
        end
      end

      StAppend: begin
        // append it to the dirty FIFO
        op_done_o = 1'b1;
        st_d      = StIdle;
        if (dirty_list_q == '0) dirty_head_d = op_frame_i;
        else begin
          next_we = 1'b1; next_waddr = dirty_tail_q; next_wdata = op_frame_i;
        end
        dirty_tail_d = op_frame_i;
        dl_dl        = CntW'(1);
        din_dl       = TotW'(1);
      end
      default: st_d = StIdle;
    endcase
  end

  // the counters' one adder each (a delta of '1 is -1)
  assign clean_list_d = clean_list_q + cl_dl;
  assign dirty_list_d = dirty_list_q + dl_dl;
  assign scrubbing_d  = scrubbing_q + sc_dl;
  assign used_d       = used_q + (us_rel ? -o_cnt : us_dl);
  assign din_d        = din_q + din_dl;
  assign dirty_d      = dirty_q + dt_dl;
  assign own_cnt_d    = us_rel ? '0 : o_cnt + oc_dl;

  // The pointer RAMs: synchronous write, synchronous read.
  always_ff @(posedge clk_i) begin
    if (next_we) next_q[next_waddr] <= next_wdata;
    if (prev_we) prev_q[prev_waddr] <= prev_wdata;
    rnext_q <= next_q[raddr];
    rprev_q <= prev_q[raddr];
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q         <= StIdle;
      clean_head_q <= '0;
      clean_list_q <= '0;
      fresh_q      <= '0;
      dirty_head_q <= '0;
      dirty_tail_q <= '0;
      dirty_list_q <= '0;
      scrubbing_q  <= '0;
      used_q       <= '0;
      din_q        <= MemZeroed ? '0 : TotW'(NumFrames);   // untouched dirty frames come first
      dirty_q      <= MemZeroed ? '0 : Total;
      cout_q       <= '0;
    end else begin
      st_q         <= st_d;
      clean_head_q <= clean_head_d;
      clean_list_q <= clean_list_d;
      fresh_q      <= fresh_d;
      dirty_head_q <= dirty_head_d;
      dirty_tail_q <= dirty_tail_d;
      dirty_list_q <= dirty_list_d;
      scrubbing_q  <= scrubbing_d;
      used_q       <= used_d;
      din_q        <= din_d;
      dirty_q      <= dirty_d;
      cout_q       <= cout_d;
    end
  end

  // One owner's list registers per generate slot: a reset loop over every owner would not
  // unroll at NumOwners 255 in Verilator (BLKLOOPINIT) and the enable is per owner anyway.
  for (genvar o = 0; o < NumOwners; o++) begin : g_own
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        own_head_q[o] <= '0;
        own_tail_q[o] <= '0;
        own_cnt_q[o]  <= '0;
      end else if (own_we && op_owner_i == OwnerW'(o)) begin
        own_head_q[o] <= own_head_d;
        own_tail_q[o] <= own_tail_d;
        own_cnt_q[o]  <= own_cnt_d;
      end
    end
  end

  assign clean_cnt_o = clean_list_q + (MemZeroed ? Total - fresh_q : '0);
  // dirty_q is kept with one adder: the dirty FIFO, the scrubber's hands, the untouched frames
  // (memory not zeroed) and a FREE between its two list updates (its frame is in transit to
  // the dirty FIFO: dirty from the unlink on); the proof checks it equals their sum
  assign dirty_cnt_o = dirty_q;
  assign used_cnt_o  = used_q;
  assign dirty_in_total_o  = din_q;
  assign clean_out_total_o = cout_q;

`ifdef FORMAL
  // A FREE between its two list updates has its frame in transit to the dirty FIFO (counted
  // dirty: dirty_q took it at the unlink).
  logic free_ph2_q;
  always_ff @(posedge clk_i) free_ph2_q <= rst_ni && (st_d == StAppend);
  // Properties for tests/formal/alloc.sby. The proof is by k-induction, so besides the
  // specification it states the whole shape of the allocator as an invariant: walking every
  // list from its head for its count visits each frame exactly once across the clean list,
  // the untouched frames, the dirty FIFO, the scrubber's hands, a FREE in transit and the
  // owner lists; tails are the last frames walked; owner lists are doubly linked. One
  // symbolic frame f_frame carries the specification: its shadow state follows the commands
  // (clean -> used by one owner -> dirty -> clean), and an ALLOC may hand it out only while
  // the shadow says clean (never twice, never dirty).
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);

  // --- environment: the contract of the context manager and of the scrubber ---------------
  // a command and its operands are held until op_done_o
  always_ff @(posedge clk_i)
    if (f_past_valid && $past(rst_ni) && rst_ni && $past(op_valid_i) && !$past(op_done_o))
      assume (op_valid_i && op_i == $past(op_i) && op_owner_i == $past(op_owner_i) &&
              op_frame_i == $past(op_frame_i));
  // owners are process slots: the context manager never names one that does not exist
  always_comb if (rst_ni && op_valid_i) assume (32'(op_owner_i) < NumOwners);
  // (the same contract seen from inside: a FREE between its two cycles is still being driven)
  always_comb if (rst_ni && free_ph2_q) assume (op_valid_i && op_i == OpFree);
  // FREE names a frame its owner holds (the context manager reads it from the owner's PTE)
  logic [NumOwners*NumFrames-1:0] f_in_ownv;      // owner o holds frame f: [o*NumFrames + f]
  always_comb if (rst_ni && op_valid_i && op_i == OpFree && !free_ph2_q)
    assume (32'(op_frame_i) < NumFrames && f_in_ownv[32'(op_owner_i)*NumFrames + 32'(op_frame_i)]);
  // the scrubber holds a pop or push request until it is answered
  always_ff @(posedge clk_i)
    if (f_past_valid && $past(rst_ni) && rst_ni) begin
      if ($past(pop_req_i && !pop_ack_o)) assume (pop_req_i);
      if ($past(push_req_i && !push_ack_o)) assume (push_req_i && push_frame_i == $past(push_frame_i));
    end
  // the scrubber pushes back only frames it popped and has not pushed yet
  logic [NumFrames-1:0] f_held;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_held <= '0;
    else begin
      if (pop_ack_o)  f_held[pop_frame_o]  <= 1'b1;
      if (push_ack_o) f_held[push_frame_i] <= 1'b0;
    end
  end
  always_comb if (rst_ni && push_req_i)
    assume (32'(push_frame_i) < NumFrames && f_held[push_frame_i]);

  // --- the lists, walked ----------------------------------------------------------------------
  // List l (0 clean, 1 dirty, 2+o owner o) walked from its head: position i at
  // f_walk[(l*NumFrames + i)*FrameW +: FrameW]; f_hit[(l*NumFrames + i)*NumFrames + f] says the
  // position is within the list's count and holds frame f.
  localparam int unsigned FL = 2 + NumOwners;
  logic [FL*FrameW-1:0]           f_head, f_tail;
  logic [FL*CntW-1:0]             f_len;
  logic [FL*NumFrames*FrameW-1:0] f_walk;
  logic [FL*NumFrames*NumFrames-1:0] f_hit;
  logic [NumFrames-1:0]           f_in_clean, f_in_dirty;
  logic [CntW+1:0]                f_own_sum, f_held_cnt;
  assign f_head[0 +: FrameW] = clean_head_q;  assign f_len[0 +: CntW] = clean_list_q;
  assign f_tail[0 +: FrameW] = '0;  // the clean stack keeps no tail
  assign f_head[FrameW +: FrameW] = dirty_head_q;  assign f_len[CntW +: CntW] = dirty_list_q;
  assign f_tail[FrameW +: FrameW] = dirty_tail_q;
  for (genvar o = 0; o < NumOwners; o++) begin : g_fown
    assign f_head[(2+o)*FrameW +: FrameW] = own_head_q[o];
    assign f_tail[(2+o)*FrameW +: FrameW] = own_tail_q[o];
    assign f_len[(2+o)*CntW +: CntW]      = own_cnt_q[o];
  end
  for (genvar l = 0; l < FL; l++) begin : g_fl
    assign f_walk[(l*NumFrames)*FrameW +: FrameW] = f_head[l*FrameW +: FrameW];
    for (genvar i = 1; i < NumFrames; i++) begin : g_fi
      assign f_walk[(l*NumFrames+i)*FrameW +: FrameW] = next_q[f_walk[(l*NumFrames+i-1)*FrameW +: FrameW]];
    end
    for (genvar i = 0; i < NumFrames; i++) begin : g_fh
      for (genvar f = 0; f < NumFrames; f++) begin : g_ff
        assign f_hit[(l*NumFrames+i)*NumFrames+f] = (32'(f_len[l*CntW +: CntW]) > i) &&
                                                   (f_walk[(l*NumFrames+i)*FrameW +: FrameW] == FrameW'(f));
      end
    end
  end
  // f_where[f]: every place that can hold frame f, one bit each; exactly one must be set
  localparam int unsigned FW = FL*NumFrames + 3;
  logic [NumFrames*FW-1:0] f_where;              // frame f's places at [f*FW +: FW]
  for (genvar f = 0; f < NumFrames; f++) begin : g_fw
    for (genvar l = 0; l < FL; l++) begin : g_wl
      for (genvar i = 0; i < NumFrames; i++) begin : g_wi
        assign f_where[f*FW + l*NumFrames+i] = f_hit[(l*NumFrames+i)*NumFrames+f];
      end
    end
    assign f_where[f*FW + FL*NumFrames]     = f >= 32'(fresh_q);                     // untouched
    assign f_where[f*FW + FL*NumFrames + 1] = f_held[f];                             // scrubbing
    assign f_where[f*FW + FL*NumFrames + 2] = free_ph2_q && op_frame_i == FrameW'(f); // FREE, in transit
    assign f_in_clean[f] = |f_where[f*FW + 0 +: NumFrames];
    assign f_in_dirty[f] = |f_where[f*FW + NumFrames +: NumFrames];
    for (genvar o = 0; o < NumOwners; o++) begin : g_wo
      assign f_in_ownv[o*NumFrames + f] = |f_where[f*FW + (2+o)*NumFrames +: NumFrames];
    end
  end
  always_comb begin
    f_own_sum = '0; f_held_cnt = '0;
    for (int unsigned o = 0; o < NumOwners; o++) f_own_sum = f_own_sum + (CntW+2)'(own_cnt_q[o]);
    for (int unsigned f = 0; f < NumFrames; f++) f_held_cnt = f_held_cnt + (CntW+2)'(f_held[f]);
  end
  // the shape invariant: each frame in exactly one place, tails last, owner lists linked back
  for (genvar f = 0; f < NumFrames; f++) begin : g_fa
    always_comb if (f_past_valid && rst_ni)
      assert (f_where[f*FW +: FW] != '0 && (f_where[f*FW +: FW] & (f_where[f*FW +: FW] - 1'b1)) == '0);
  end
  for (genvar l = 1; l < FL; l++) begin : g_ft
    for (genvar i = 0; i < NumFrames; i++) begin : g_fti
      always_comb if (f_past_valid && rst_ni && 32'(f_len[l*CntW +: CntW]) == i + 1)
        assert (f_walk[(l*NumFrames+i)*FrameW +: FrameW] == f_tail[l*FrameW +: FrameW]);
      if (l >= 2 && i >= 1) begin : g_fp
        always_comb if (f_past_valid && rst_ni && 32'(f_len[l*CntW +: CntW]) > i)
          assert (prev_q[f_walk[(l*NumFrames+i)*FrameW +: FrameW]] ==
                  f_walk[(l*NumFrames+i-1)*FrameW +: FrameW]);
      end
    end
  end

  // --- the specification, on one symbolic frame -------------------------------------------
  localparam logic [1:0] FClean = 2'd0, FUsed = 2'd1, FDirty = 2'd2;
  (* anyconst *) logic [FrameW-1:0] f_frame;
  always_comb assume (32'(f_frame) < NumFrames);
  logic [1:0]        f_st;
  logic [OwnerW-1:0] f_own;
  logic              f_alloc_fire;
  assign f_alloc_fire = op_done_o && op_i == OpAlloc && !rsp_nomem_o;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_st <= MemZeroed ? FClean : FDirty;   // as the device memory starts
    else begin
      if (f_alloc_fire && rsp_frame_o == f_frame) begin
        f_st  <= FUsed;
        f_own <= op_owner_i;
      end
      if (st_q == StUnlink && op_frame_i == f_frame) f_st <= FDirty;
      if (st_q == StIdle && op_valid_i && op_i == OpRelease && f_st == FUsed && f_own == op_owner_i)
        f_st <= FDirty;
      if (push_ack_o && push_frame_i == f_frame) f_st <= FClean;
    end
  end

  always_comb begin
    if (f_past_valid && rst_ni) begin
      // never handed out twice, never handed out dirty
      if (f_alloc_fire && rsp_frame_o == f_frame) assert (f_st == FClean);
      // none lost: clean + dirty (incl. scrubbing and in transit) + used = total, every cycle
      assert (32'(clean_cnt_o) + 32'(dirty_cnt_o) + 32'(used_cnt_o) == NumFrames);
      // the counters agree with the lists and the scrubber's hands
      assert (32'(used_q) == 32'(f_own_sum));
      assert (scrubbing_q == CntW'(f_held_cnt));
      assert (32'(fresh_q) <= NumFrames);
      // (the same sum without the outputs' CntW wrap-around: no count exceeds the total)
      assert (32'(clean_list_q) + (NumFrames - 32'(fresh_q)) + 32'(dirty_list_q) + 32'(scrubbing_q)
              + 32'(free_ph2_q) + 32'(used_q) == NumFrames);
      // the kept dirty count is the dirty FIFO, the scrubber's hands, a FREE in transit and
      // (memory not zeroed) the untouched frames
      assert (32'(dirty_q) == 32'(dirty_list_q) + 32'(scrubbing_q) + 32'(free_ph2_q) +
                              (MemZeroed ? 0 : NumFrames - 32'(fresh_q)));
      // the pointer a multi-cycle operation read is the one it uses, and the operation is
      // still the one that started it
      if (st_q == StAlloc) assert (op_valid_i && op_i == OpAlloc && have_clean &&
                                   (clean_list_q == '0 || rnext_q == next_q[clean_head_q]));
      if (st_q == StPop) assert (pop_req_i && dirty_list_q != '0 && !pop_fresh &&
                                 rnext_q == next_q[dirty_head_q]);
      if (st_q == StUnlink) assert (op_valid_i && op_i == OpFree && !free_ph2_q &&
                                    rnext_q == next_q[op_frame_i] && rprev_q == prev_q[op_frame_i]);
      assert (free_ph2_q == (st_q == StAppend));
      assert (st_q <= StAppend);
      // the shadow of f_frame agrees with where the lists hold it
      assert (f_st != 2'd3);
      if (f_st == FClean) assert (f_in_clean[f_frame] || (MemZeroed && 32'(f_frame) >= 32'(fresh_q)));
      if (f_st == FUsed)  assert (f_in_ownv[32'(f_own)*NumFrames + 32'(f_frame)]);
      if (f_st == FDirty) assert (f_in_dirty[f_frame] || f_held[f_frame] ||
                                  (free_ph2_q && op_frame_i == f_frame) ||
                                  (!MemZeroed && 32'(f_frame) >= 32'(fresh_q)));
    end
  end

  // reachability
  always_comb if (f_past_valid && rst_ni) begin
    cover (f_alloc_fire && clean_list_q != '0);          // a scrubbed frame reused
    cover (rsp_nomem_o);                                  // out of memory
    cover (op_valid_i && op_i == OpAlloc && !op_done_o);  // waiting for the scrubber
    cover (op_done_o && op_i == OpRelease && rsp_count_o >= 2);
    cover (free_ph2_q && own_cnt_q[op_owner_i] != '0);    // unlink from a list that stays
    cover (push_ack_o && used_q != '0);
  end
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // Shadow ownership, simulation only: catches a double hand-out, a free of a frame the owner
  // does not hold, and a dirty frame handed out. RELEASE bumps the owner's epoch, which turns
  // all frames it holds dirty at once (a frame is used only while its epoch is current).
  localparam logic [1:0] ShClean = 2'd0, ShUsed = 2'd1, ShDirty = 2'd2;
  logic [1:0]        sh_state_q [NumFrames];
  logic [OwnerW-1:0] sh_owner_q [NumFrames];
  logic [31:0]       sh_epoch_q [NumFrames];
  logic [31:0]       sh_rel_q   [NumOwners];
  initial begin
    for (int unsigned i = 0; i < NumFrames; i++) sh_state_q[i] = MemZeroed ? ShClean : ShDirty;
    for (int unsigned i = 0; i < NumOwners; i++) sh_rel_q[i] = '0;
  end
  function automatic logic [1:0] sh_eff(logic [FrameW-1:0] f);
    sh_eff = (sh_state_q[f] == ShUsed && sh_epoch_q[f] != sh_rel_q[sh_owner_q[f]]) ? ShDirty
                                                                                   : sh_state_q[f];
  endfunction
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      if (op_done_o && op_i == OpAlloc && !rsp_nomem_o) begin
        sh_state_q[rsp_frame_o] <= ShUsed;
        sh_owner_q[rsp_frame_o] <= op_owner_i;
        sh_epoch_q[rsp_frame_o] <= sh_rel_q[op_owner_i];
      end
      if (st_q == StUnlink) sh_state_q[op_frame_i] <= ShDirty;
      if (st_q == StIdle && op_valid_i && op_i == OpRelease)
        sh_rel_q[op_owner_i] <= sh_rel_q[op_owner_i] + 1'b1;
      if (pop_ack_o)  sh_state_q[pop_frame_o] <= ShDirty;
      if (push_ack_o) sh_state_q[push_frame_i] <= ShClean;
    end
  end
  // (array reads outside the assertions: Verilator 5.006 cannot index arrays inside them)
  logic [1:0]        sh_alloc_st, sh_free_st, sh_push_st;
  logic [OwnerW-1:0] sh_free_own;
  assign sh_alloc_st = sh_eff(rsp_frame_o);
  assign sh_free_st  = sh_eff(op_frame_i);
  assign sh_free_own = sh_owner_q[op_frame_i];
  assign sh_push_st  = sh_eff(push_frame_i);
  AllocClean_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (op_done_o && op_i == OpAlloc && !rsp_nomem_o) |-> sh_alloc_st == ShClean);
  FreeOwned_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StUnlink) |-> (sh_free_st == ShUsed && sh_free_own == op_owner_i));
  PushScrubbing_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    push_ack_o |-> (scrubbing_q != '0 && sh_push_st == ShDirty));
  Conserved_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (32'(clean_cnt_o) + 32'(dirty_cnt_o) + 32'(used_cnt_o)) == NumFrames);
`endif
endmodule
