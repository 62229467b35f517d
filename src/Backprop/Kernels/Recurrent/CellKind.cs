namespace Backprop.Kernels.Recurrent;

/// <summary>The recurrent cells <see cref="RecurrentKernel"/> runs.</summary>
internal enum CellKind
{
    /// <summary>h = tanh(x·W_ihᵀ + b_ih + h₋·W_hhᵀ + b_hh).</summary>
    RnnTanh,

    /// <summary>The same with ReLU.</summary>
    RnnRelu,

    /// <summary>PyTorch's LSTM: gates i, f, g, o.</summary>
    Lstm,

    /// <summary>PyTorch's GRU: gates r, z, n.</summary>
    Gru,
}
