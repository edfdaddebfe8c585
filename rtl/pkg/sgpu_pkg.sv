// sgpu_pkg: the typed bundles every sgpu block talks through, the engine contract, and the
// limits the parameters are checked against. Referenced as sgpu_pkg::name (Yosys 0.23 does
// not accept `import`).
//
// Widths in the bundles are the largest any configuration uses; a block uses the low bits its
// parameters need and ties the rest to zero (synthesis removes them). That keeps one struct
// type per bundle instead of one per parameter set (packages cannot be parameterized).
//
// N ports of one bundle: a 2-D packed logic array, `logic [N-1:0][MemReqW-1:0] req_i`, whose
// elements are assigned to (or from) a struct variable: `sgpu_pkg::mem_req_t r; assign r =
// req_i[k];`. Never a packed array of structs (`sgpu_pkg::mem_req_t [N-1:0]`): Yosys (0.23 and
// 0.70 alike) sizes such an array as ONE struct, silently dropping the other elements, where
// the simulator gets it right (the rtl_lint test refuses the construct). The *W widths below
// are what $bits() gives for each struct (Yosys cannot take $bits of a type; sgpu_core checks
// them in simulation).
package sgpu_pkg;
  // Waiver: every block uses only part of the package, so unused constants are expected.
  /* verilator lint_off UNUSEDPARAM */

  // ---------------------------------------------------------------- limits
  // Checked at elaboration by sgpu_core (both Verilator and Yosys stop on a violation).
  localparam int unsigned MaxProcs   = 255;  // CAPS0.NUM_PROCS is 8 bits
  localparam int unsigned MaxQueues  = 254;  // queue id 0xFF means "no queue"
  localparam int unsigned MaxFrameW  = 20;   // frame number bits in a PTE (sgpu_core checks
                                             // it equals the map's PTE_FRAME_BITS)
  localparam int unsigned AsidW      = 8;    // ASID = process slot, <= MaxProcs
  localparam int unsigned MemAddrW   = 32;   // word address in a memory request
  localparam int unsigned VpnW       = 32;   // virtual page number in a translate request
  localparam int unsigned QueueIdW   = 8;
  localparam int unsigned RingLsb    = 4;    // queue ring: base address bits [31:RingLsb]
  localparam int unsigned RingLog2W  = 4;    //   and log2 of its entry count (the map's QRING)

  // ---------------------------------------------------------------- memory port
  // One request per valid/ready handshake; addresses are word (32-bit) addresses. Reads get
  // exactly one response each, in request order, with its own valid/ready handshake and any
  // latency. Writes are posted: no response; a write is ordered before every request the
  // same memory accepts after it (a later read of the address returns the written data).
  typedef struct packed {
    logic                we;     // 1 write, 0 read
    logic [3:0]          be;     // byte enables (writes); reads return the whole word
    logic [MemAddrW-1:0] addr;   // word address
    logic [31:0]         wdata;
  } mem_req_t;

  typedef struct packed {
    logic [31:0] rdata;
  } mem_rsp_t;

  localparam int unsigned MemReqW = 1 + 4 + MemAddrW + 32;
  localparam int unsigned MemRspW = 32;

  // ---------------------------------------------------------------- translate port (MMU)
  // A request names an address space and a virtual page; the response gives the frame or a
  // fault. The translation is the port's until it pulses `retire` (a separate input of the
  // MMU port): an invalidation of that ASID is not acknowledged before every translation
  // handed out before it is retired, so a frame is never freed while an engine can still use
  // a translation to it. A port has at most one translation outstanding (request to retire).
  typedef struct packed {
    logic [AsidW-1:0] asid;
    logic [VpnW-1:0]  vpn;
  } xlate_req_t;

  typedef struct packed {
    logic                 fault;  // no valid mapping (frame is 0)
    logic [MaxFrameW-1:0] frame;
  } xlate_rsp_t;

  localparam int unsigned XlateReqW = AsidW + VpnW;
  localparam int unsigned XlateRspW = 1 + MaxFrameW;

  // Invalidation request to the MMU (from the context manager): all entries of an ASID, or
  // one page of it. Held until the MMU's done pulse.
  typedef struct packed {
    logic             by_asid;  // 1: every entry of asid; 0: only (asid, vpn)
    logic [AsidW-1:0] asid;
    logic [VpnW-1:0]  vpn;
  } inval_req_t;

  // ---------------------------------------------------------------- admin command path
  typedef struct packed {
    logic [7:0]  opcode;
    logic [1:0]  policy;     // DESTROY_PROCESS only
    logic [31:0] arg0;       // usually the process handle
    logic [31:0] arg1;
    logic [31:0] arg2;
    logic [31:0] arg3;
  } cmd_t;

  typedef struct packed {
    logic [31:0]      status;  // NTSTATUS
    logic [5:0][31:0] res;     // CPL_RES5..CPL_RES0 (res[0] is CPL_RES0)
  } cpl_t;

  // ---------------------------------------------------------------- the engine contract
  // Every engine (copy/fill, SIMT, the simulation stand-in) answers the context manager's
  // per-process control requests. A request is held (valid) until the engine pulses ack for
  // one cycle; the next request comes after that. Each engine promises:
  //   STOP  asid: from the ack on, it starts no new work item of asid (work it already
  //               started may continue). Ack within a bounded number of cycles.
  //   DRAIN asid: ack once no work item of asid is in flight: its memory requests have been
  //               accepted (reads answered) and its translations retired. May take as long
  //               as the work takes; the teardown bounds the wait and then aborts.
  //   ABORT asid: drop every work item of asid at the next safe point, issue no further
  //               memory write for it, let reads already issued complete, retire its
  //               translations, then ack with `aborted` = work items dropped. Bounded.
  //   CLEAR asid: zero every piece of on-chip state asid could have written (scratch or
  //               shared memory, registers), so nothing reaches the next process
  //               (LeftoverLocals, CVE-2023-4969). Bounded.
  // An engine with nothing of asid acks each request in the cycle after it sees it.
  typedef enum logic [1:0] {
    EngStop  = 2'd0,
    EngDrain = 2'd1,
    EngAbort = 2'd2,
    EngClear = 2'd3
  } eng_op_e;

  typedef struct packed {
    logic             valid;
    eng_op_e          op;
    logic [AsidW-1:0] asid;
  } eng_ctl_req_t;

  typedef struct packed {
    logic        ack;       // one-cycle pulse answering the request held
    logic [15:0] aborted;   // ABORT: work items dropped (0 for the other requests)
  } eng_ctl_rsp_t;

  localparam int unsigned EngCtlReqW = 1 + 2 + AsidW;
  localparam int unsigned EngCtlRspW = 1 + 16;

  // Work arrives at the engines as accepted queue doorbells: the queue, its owner, its ring
  // and the new write pointer (one cycle; engines that are busy keep their own backlog).
  typedef struct packed {
    logic                valid;
    logic [QueueIdW-1:0] qid;
    logic [AsidW-1:0]    asid;
    logic [31:RingLsb]   ring_va;
    logic [RingLog2W-1:0] ring_log2;
    logic [31:0]         wptr;
  } doorbell_t;


  // ---------------------------------------------------------------- inside the context manager
  // Its blocks (dispatcher, page-table manager, teardown engine, reclaimer) share the frame
  // allocator, the queue block and the process table's write port; one of them owns them at a
  // time (the dispatcher decides) and sgpu_ctx routes that owner's requests.

  // Frame allocator command (sgpu_frame_alloc): held until done.
  typedef enum logic [1:0] {
    AlAlloc   = 2'd0,   // a clean frame for owner -> frame (or nomem)
    AlFree    = 2'd1,   // one frame of owner back, dirty
    AlRelease = 2'd2    // every frame of owner back, dirty -> count
  } alloc_op_e;

  typedef struct packed {
    logic                 valid;
    alloc_op_e            op;
    logic [AsidW-1:0]     owner;
    logic [MaxFrameW-1:0] frame;   // AlFree
  } alloc_req_t;

  typedef struct packed {
    logic                 done;    // one cycle
    logic                 nomem;   // AlAlloc: nothing clean and nothing being scrubbed
    logic [MaxFrameW-1:0] frame;   // AlAlloc
    logic [MaxFrameW:0]   count;   // AlRelease: frames moved to the dirty list
  } alloc_rsp_t;

  // Queue-slot strobes (sgpu_queues), one per cycle.
  typedef enum logic [2:0] {
    QcNone    = 3'd0,
    QcCreate  = 3'd1,   // slot qid for owner, ring
    QcDestroy = 3'd2,   // slot qid released
    QcStop    = 3'd3,   // every queue of owner stopped
    QcRelease = 3'd4,   // every queue of owner released
    QcClear   = 3'd5    // owner's ignored-doorbell count cleared
  } qctl_op_e;

  typedef struct packed {
    qctl_op_e            op;
    logic [QueueIdW-1:0] qid;
    logic [AsidW-1:0]    owner;
    logic [31:RingLsb]   ring_va;
    logic [RingLog2W-1:0] ring_log2;
  } qctl_t;

  // Process-table updates (sgpu_proc_table), one per cycle per port.
  typedef enum logic [2:0] {
    PtNone    = 3'd0,
    PtCreate  = 3'd1,   // FREE -> ACTIVE, counts: 0 data, 1 table (the root)
    PtDying   = 3'd2,   // ACTIVE -> DYING
    PtRelease = 3'd3,   // DYING -> FREE, generation + 1 (skipping 0), counts 0
    PtDataInc = 3'd4,
    PtDataDec = 3'd5,
    PtTblInc  = 3'd6,
    PtTblDec  = 3'd7
  } ptop_e;

  typedef struct packed {
    ptop_e            op;
    logic [AsidW-1:0] slot;
  } ptop_t;
  /* verilator lint_on UNUSEDPARAM */
endpackage
