using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>One step of a GRU, as torch.nn.GRUCell (gates r, z, n).</summary>
public sealed class GRUCell : RNNCellBase
{
    /// <summary>Makes the cell.</summary>
    /// <param name="inputSize">The features of the input.</param>
    /// <param name="hiddenSize">The hidden state's size.</param>
    /// <param name="bias">Whether it has biases.</param>
    /// <param name="generator">The random source of initialisation.</param>
    public GRUCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
        : base("GRUCell", CellKind.Gru, inputSize, hiddenSize, bias, generator)
    {
    }

    /// <summary>One step.</summary>
    /// <param name="input">[B, input] or [input].</param>
    /// <param name="h">The hidden state [B, H], or null for zeros.</param>
    /// <returns>The next hidden state.</returns>
    public Tensor Forward(Tensor input, Tensor? h = null) => Step(input, h, null).H;
}
