using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>One step of an LSTM, as torch.nn.LSTMCell (gates i, f, g, o).</summary>
public sealed class LSTMCell : RNNCellBase
{
    /// <summary>Makes the cell.</summary>
    /// <param name="inputSize">The features of the input.</param>
    /// <param name="hiddenSize">The hidden state's size.</param>
    /// <param name="bias">Whether it has biases.</param>
    /// <param name="generator">The random source of initialisation.</param>
    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
        : base("LSTMCell", CellKind.Lstm, inputSize, hiddenSize, bias, generator)
    {
    }

    /// <summary>One step.</summary>
    /// <param name="input">[B, input] or [input].</param>
    /// <param name="state">The hidden and cell states, each [B, H], or null for zeros.</param>
    /// <returns>The next hidden and cell states.</returns>
    public (Tensor H, Tensor C) Forward(Tensor input, (Tensor H, Tensor C)? state = null)
    {
        var (h, c) = Step(input, state?.H, state?.C);
        return (h, c!);
    }
}
