// sgpu_link_ram: a simple dual-port memory, one write port and one read port with a registered
// read (the read data is the word at raddr_i of the previous cycle), the form Yosys maps to one
// iCE40 SB_RAM40_4K (512 x 8) or an ECP5 DP16KD. The link bridge's request and response
// buffers. Not reset (block RAM); a read of the address written in the same cycle is
// undefined (the bridge never does it).
module sgpu_link_ram #(
  parameter int unsigned  Depth = 512,  // words
  parameter int unsigned  Width = 8,    // bits per word
  localparam int unsigned AddrW = $clog2(Depth)
) (
  input  logic             clk_i,
  input  logic             we_i,     // write wdata_i at waddr_i
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [AddrW-1:0] raddr_i,  // read address; its word is on rdata_o in the next cycle
  output logic [Width-1:0] rdata_o
);
  // no_rw_check: the bridge never reads the address it writes in the same cycle, so Yosys
  // need not add bypass logic for that case (the block RAM leaves it undefined).
  (* no_rw_check *)
  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end
  always_ff @(posedge clk_i) rdata_o <= mem_q[raddr_i];
endmodule
