using System.Reflection;
using Backprop.KernelRunner;

// Runs every test of this assembly (the kernel tests) and prints one line per failure and the count.
var (passed, failed, skipped) = InProcessRunner.Run(Assembly.GetExecutingAssembly(), Console.Out);
Console.WriteLine($"kernel tests ({Backprop.Kernels.MicroKernel.Path} path, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}): {passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 && passed > 0 ? 0 : 1;
