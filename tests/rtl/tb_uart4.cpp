// tb_uart4.cpp - tb_uart.cpp built on the uart4 model (mk/verilator.mk TB_BLOCKS: the rate is a
// build parameter; the bench reads it from the model).
#include "tb_uart.cpp"
