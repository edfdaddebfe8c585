// tb_uartfrac.cpp - tb_uart.cpp built on the uartfrac model (mk/verilator.mk TB_BLOCKS: the rate is a
// build parameter; the bench reads it from the model).
#include "tb_uart.cpp"
