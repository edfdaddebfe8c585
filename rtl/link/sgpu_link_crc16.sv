// sgpu_link_crc16: one byte into the CRC-16/CCITT-FALSE register (polynomial
// sgpu_link_pkg::CRC_POLY, not reflected, no final xor; docs/protocol.md section 4),
// combinational: crc_o is the register after data_i. The link bridge's engine has one, for
// the bytes it receives and the ones it frames. Eight steps of the bitwise definition, unrolled; Yosys reduces them to xors.
module sgpu_link_crc16 (
  input  logic [15:0] crc_i,
  input  logic [7:0]  data_i,
  output logic [15:0] crc_o
);
  always_comb begin
    crc_o = crc_i ^ {data_i, 8'h00};
    for (int i = 0; i < 8; i++) begin
      crc_o = crc_o[15] ? ((crc_o << 1) ^ sgpu_link_pkg::CRC_POLY) : (crc_o << 1);
    end
  end
endmodule
